"""The Rasa SDK action server, with the same log redaction as the Rasa server.

``python -m bot.action_server --actions actions --port 5055`` takes rasa_sdk's options.
It does what ``python -m rasa_sdk`` does, with the redacting filter put on every log
handler once logging is configured and before the server starts.
"""
from __future__ import annotations

import logging
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> None:
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_argument_parser, run

    from bot.privacy.redactor import install_log_redaction

    args = create_argument_parser().parse_args(argv)
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    install_log_redaction()
    run(args.actions, args.port, args.cors, args.ssl_certificate, args.ssl_keyfile, args.ssl_password, args.auto_reload)


if __name__ == "__main__":
    main()
