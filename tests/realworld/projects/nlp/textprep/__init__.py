"""Text clean-up and tokenizer training for the ticket classifier."""
