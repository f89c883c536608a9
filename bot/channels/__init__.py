"""Input and output channels: REST, web widget, Telegram, SMS."""
