"""Shipped data of Renovation Atlas, as package data (see README.md here)."""
