"""Fristad: an anonymous, multilingual help line in chat, built on Rasa 3.6."""
