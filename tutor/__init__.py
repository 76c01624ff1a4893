"""Grounded question answering over the corpus (retrieve -> select evidence -> answer -> cite)."""
