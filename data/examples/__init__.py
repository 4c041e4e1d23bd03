"""The synthetic examples and the scripts that write them."""
