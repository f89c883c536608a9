"""The counsellors' web console at /console: a Rasa input channel serving the page and its JSON API."""
