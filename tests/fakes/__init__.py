"""Local stand-ins for what lies outside this machine (Telegram's and Twilio's servers)."""
