"""Deploy targets for the deploy side: parsed in sitekeeper.config.deploy while site.toml loads."""
from ..config.deploy import (  # noqa: F401
    DEFAULT_TARGET, BadTarget, Target, choose_target, default_target, parse_target, parse_url, validate_target,
)
