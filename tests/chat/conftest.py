from tests.chat.helpers import channels, client  # noqa: F401 - fixtures
