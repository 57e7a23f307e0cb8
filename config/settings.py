"""Square Mile settings. Everything that differs between machines comes from the environment.

See `.env.example` for every variable. With no environment at all the platform runs in
development mode on an embedded SQLite database under `var/`.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SQUAREMILE_VAR_DIR", BASE_DIR / "var"))


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("SQUAREMILE_TESTING")

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-use-in-production"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off (see .env.example).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env("SITE_NAME", "Square Mile")
# The site's public address, e.g. https://squaremile.example.org, for links in emails sent by the worker.
SITE_URL = env("SITE_URL", "").rstrip("/")
SITE_TAGLINE = env("SITE_TAGLINE", "Who is doing what, where, in our patch — and how to join in.")
SITE_ID = 1
# Shown on the contact, privacy and accessibility pages: where people write to the people who run the site.
CONTACT_EMAIL = env("CONTACT_EMAIL", "")
# Under DEBUG, 404 and 500 pages are the site's own (as in production) unless this is set.
DEBUG_ERROR_PAGES = env_bool("DEBUG_ERROR_PAGES", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "csp",
    "django_htmx",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "squaremile.core",
    "squaremile.places",
    "squaremile.accounts",
    "squaremile.audit",
    "squaremile.notifications",
    "squaremile.attachments",
    "squaremile.questions",
    "squaremile.imports",
    "squaremile.moderation",
    "squaremile.directory",
    "squaremile.mapping",
    "squaremile.network",
    "squaremile.conversations",
    "squaremile.stories",
    "squaremile.exchange",
    "squaremile.methods",
    "squaremile.events",
    "squaremile.civic",
    "squaremile.demo",
    "squaremile.pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "squaremile.core.middleware.StyledErrorPagesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A view that fails because the database is busy or restarting answers 503, not 500.
    "squaremile.core.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
# Forms render with the project's templates first: templates/django/forms/ escapes help text, which
# organisers write for their questions (Django's own templates mark it safe).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "squaremile.core.context_processors.site",
                "squaremile.notifications.context_processors.unread",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------
DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'squaremile.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL") or DEFAULT_SQLITE_URL, conn_max_age=0)}
# How long (seconds) a write waits for another transaction's lock before giving up: the SQLite busy
# timeout (SQLite retries the lock until then) and PostgreSQL's lock_timeout (0: wait for ever). A
# request that gives up is answered "The site is busy, try again in a moment" (HTTP 503, Retry-After).
DB_BUSY_TIMEOUT = float(env("DB_BUSY_TIMEOUT", "5"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_BUSY_TIMEOUT > 0:
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = f"{_pg_options.get('options', '')} -c lock_timeout={int(DB_BUSY_TIMEOUT * 1000)}".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers carry on while one writer writes; IMMEDIATE transactions take the
        # write lock up front so concurrent writers queue instead of failing with "locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": DB_BUSY_TIMEOUT,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA mmap_size=134217728;"
            "PRAGMA cache_size=-32000;"
        ),
    }
# Keep connections between requests (a fresh SQLite connection starts with a cold cache); tests
# close them so the test database can be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0 if TESTING else int(env("CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Attachments (photos and files on any record: squaremile/attachments) ---------------------
# The largest file accepted, in bytes (photos are re-encoded, with location metadata removed).
# The older MAP_PHOTO_MAX_BYTES / MAP_PHOTO_MAX_EDGE variables are still read when these are unset.
ATTACHMENT_MAX_BYTES = int(env("ATTACHMENT_MAX_BYTES", env("MAP_PHOTO_MAX_BYTES", str(5 * 1024 * 1024))))
# Photos are shrunk to this longest edge in pixels; their thumbnails to the second.
ATTACHMENT_IMAGE_MAX_EDGE = int(env("ATTACHMENT_IMAGE_MAX_EDGE", env("MAP_PHOTO_MAX_EDGE", "1600")))
ATTACHMENT_THUMBNAIL_EDGE = int(env("ATTACHMENT_THUMBNAIL_EDGE", "400"))
# At most this many attachments per record, where its app sets no limit of its own.
ATTACHMENTS_PER_OWNER = int(env("ATTACHMENTS_PER_OWNER", "4"))
# Any uploaded image with more pixels than this (width × height, read from its header) is refused
# before it is decoded; Pillow's own bomb limit (Image.MAX_IMAGE_PIXELS) is set to the same number.
PHOTO_MAX_PIXELS = int(env("PHOTO_MAX_PIXELS", str(24_000_000)))
# The pixels one request may decode across all its photos (a JPEG counts at the reduced size it is
# decoded at, so a few phone photos fit easily; several huge PNGs do not).
PHOTO_MAX_PIXELS_PER_REQUEST = int(env("PHOTO_MAX_PIXELS_PER_REQUEST", str(48_000_000)))
# manage.py sweep_media removes files nothing refers to once they are older than this.
MEDIA_SWEEP_GRACE_HOURS = float(env("MEDIA_SWEEP_GRACE_HOURS", "24"))

# --- Cache --------------------------------------------------------------------------------
# Rate limits (core/ratelimit.py) and allauth's log-in limits count in this cache, so it must be
# shared by every process: Redis with CACHE_URL, else a table in the database (made by migrate).
CACHE_URL = env("CACHE_URL")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "squaremile.core.cache.DatabaseCache",
            "LOCATION": "squaremile_cache",
            # Culling (expired rows first) starts above this many rows, not Django's 300, so that a
            # burst of keys cannot push live rate-limit counts out.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
# Override any scope's limit: "survey-response=60/h/ip,3/h/email;invitations=500/d/user".
RATE_LIMITS = env("RATE_LIMITS", "")
# Behind a reverse proxy, how to find the visitor's address (for every limit; see docs/operators.md).
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("ALLAUTH_TRUSTED_CLIENT_IP_HEADER") or None

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_UNIQUE_EMAIL = True
# "key" in login_failed is the address *and* the visitor's IP (accounts/adapter.py): failures slow
# the one who makes them, never lock the owner out; the owner can always sign in by e-mailed code.
ACCOUNT_RATE_LIMITS_PRODUCTION = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,3/h/key",
    "request_login_code": "20/h/ip,3/h/key",
}
ACCOUNT_RATE_LIMITS = {} if TESTING else ACCOUNT_RATE_LIMITS_PRODUCTION
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
LOGIN_REDIRECT_URL = "accounts:profile_edit"
LOGIN_URL = "account_login"

# --- Email --------------------------------------------------------------------------------
# Development: every email is printed on the console and kept as a file under var/mail,
# readable at /dev/mail/ by anyone running the platform locally.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Square Mile <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = env("EMAIL_URL")
# Inbound mail (notifications/inbound.py): replies to the platform's mails come back to
# reply+<token>@INBOUND_MAIL_DOMAIN, through `manage.py receive_mail` (Postfix/Exim pipe) or the
# HTTP endpoint /mail/inbound/ (an inbound-mail service, authenticated with INBOUND_MAIL_SECRET).
INBOUND_MAIL_DOMAIN = env("INBOUND_MAIL_DOMAIN", "")
INBOUND_MAIL_SECRET = env("INBOUND_MAIL_SECRET", "")
INBOUND_MAIL_TOKEN_DAYS = int(env("INBOUND_MAIL_TOKEN_DAYS", "90"))
CONVERSATIONS_NEW_ACCOUNT_DAYS = int(env("CONVERSATIONS_NEW_ACCOUNT_DAYS", "7"))
# Wants and offers (squaremile/exchange): how long an item lives before it expires (reminders 7 days
# and 1 day before), and how young an account is "new" (stricter rate limits).
EXCHANGE_LIFETIME_DAYS = int(env("EXCHANGE_LIFETIME_DAYS", "30"))
EXCHANGE_NEW_ACCOUNT_DAYS = int(env("EXCHANGE_NEW_ACCOUNT_DAYS", "7"))
INBOUND_MAIL_MAX_BYTES = int(env("INBOUND_MAIL_MAX_BYTES", str(10 * 1024 * 1024)))
MAIL_DIR = VAR_DIR / "mail"
if EMAIL_URL:
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "submission"
    EMAIL_USE_SSL = _email.scheme == "smtps"
elif TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    EMAIL_BACKEND = "squaremile.core.mail.DevelopmentEmailBackend"
SHOW_DEV_MAILBOX = env_bool("SHOW_DEV_MAILBOX", DEBUG) and not EMAIL_URL

# --- Background tasks ---------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING or env_bool("TASKS_IMMEDIATE")
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
# Finished export/import jobs (and their files) older than this many days are removed by
# `manage.py purge_jobs` (run it daily from cron).
JOB_RETENTION_DAYS = int(env("JOB_RETENTION_DAYS", "14"))
MAIL_FILES_RETENTION_DAYS = int(env("MAIL_FILES_RETENTION_DAYS", "7"))  # files stored for mails (purge_mail_files)
# A running job whose worker has not written its heartbeat for this many seconds is taken for dead
# (a killed or crashed worker) and marked failed with a reason by the next `manage.py worker`.
JOB_STALE_SECONDS = int(env("JOB_STALE_SECONDS", "300"))
# How many background jobs (exports, imports) one person may have queued or running at once; the
# next is refused until one finishes.
JOB_MAX_ACTIVE_PER_PERSON = int(env("JOB_MAX_ACTIVE_PER_PERSON", "2"))
# Management commands the background worker (`manage.py worker`) runs itself, each at most once per
# interval (seconds) however many workers run (`core/periodic.py`). In the environment:
# PERIODIC_COMMANDS="poll_feeds=300; send_digests --period daily=86400"; empty leaves it all to cron.
DEFAULT_PERIODIC_COMMANDS = [
    ("poll_feeds", 5 * 60),  # each feed is still read at most every STORIES_FEED_MIN_MINUTES
    ("send_digests --period daily", 24 * 3600),
    ("send_digests --period weekly", 7 * 24 * 3600),
    ("exchange_daily", 24 * 3600),
    ("events_remind", 24 * 3600),
    ("civic_daily", 24 * 3600),
    ("purge_jobs", 24 * 3600),
    ("purge_mail_files", 24 * 3600),
]


def _periodic_commands(raw):
    if raw is None:
        return [] if TESTING else DEFAULT_PERIODIC_COMMANDS
    out = []
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        line, _, seconds = part.rpartition("=")
        if not line.strip() or not seconds.strip().isdigit() or int(seconds) <= 0:
            raise ImproperlyConfigured(f"PERIODIC_COMMANDS: write each as 'command args=seconds', not {part!r}")
        out.append((line.strip(), int(seconds)))
    return out


PERIODIC_COMMANDS = _periodic_commands(env("PERIODIC_COMMANDS"))

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True
# One vocabulary: allauth's "Sign In / Sign Up" become the site's "Log in / Join" (locale/en_GB).
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Maps ---------------------------------------------------------------------------------
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
# Where a map opens when nothing else is known (the demo locality).
MAP_DEFAULT_CENTER = [float(x) for x in env("MAP_DEFAULT_CENTER", "53.80,-1.55").split(",")]
# The community map: may visitors without an account submit entries (with a name and an email)?
MAP_ANONYMOUS_SUBMISSIONS = env_bool("MAP_ANONYMOUS_SUBMISSIONS", DEBUG)
# How many anonymous submissions one address (and one email) may make: "N/s", "N/m", "N/h" or "N/d".
MAP_ANONYMOUS_RATE = env("MAP_ANONYMOUS_RATE", "5/h")
# Events: importing a calendar from an address on a private network (off: only public addresses)
EVENTS_IMPORT_ALLOW_PRIVATE = env_bool("EVENTS_IMPORT_ALLOW_PRIVATE", False)
# Photos per map entry (attachments of an entry; the other limits are the ATTACHMENT_* ones above).
MAP_PHOTOS_PER_ENTRY = int(env("MAP_PHOTOS_PER_ENTRY", "4"))
# An anonymous form sent back sooner than this after it was opened is taken for a bot.
MAP_MIN_SUBMIT_SECONDS = float(env("MAP_MIN_SUBMIT_SECONDS", "3"))
# Imports: files with more rows than this are checked and applied by the worker, not in the request.
MAP_IMPORT_INLINE_ROWS = int(env("MAP_IMPORT_INLINE_ROWS", "2000"))
# Imports: larger files (in rows, in bytes) are refused.
MAP_IMPORT_MAX_ROWS = int(env("MAP_IMPORT_MAX_ROWS", "200000"))
MAP_IMPORT_MAX_BYTES = int(env("MAP_IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
# Imports: files with more columns than this are refused.
MAP_IMPORT_MAX_COLUMNS = int(env("MAP_IMPORT_MAX_COLUMNS", "200"))
# Exports of more entries than this are prepared by the worker as a file to download later.
MAP_EXPORT_INLINE_MAX = int(env("MAP_EXPORT_INLINE_MAX", "5000"))

# --- Network mapping ------------------------------------------------------------------------
# Networks with more people than this are analysed by the worker (make worker), not in the request.
NETWORK_SYNC_ANALYSIS_MAX_NODES = int(env("NETWORK_SYNC_ANALYSIS_MAX_NODES", "1500"))
# How long the built network-map payloads stay in the cache (rebuilt after each analysis anyway).
NETWORK_MAP_CACHE_SECONDS = int(env("NETWORK_MAP_CACHE_SECONDS", str(24 * 3600)))

# --- Stories ----------------------------------------------------------------------------------
# Does a new member's first story wait for a moderator? (later ones are published at once)
STORIES_REVIEW_FIRST = env_bool("STORIES_REVIEW_FIRST", True)
# Local sites' feeds: read each at most every N minutes; refuse bodies larger than this; give up after N seconds.
STORIES_FEED_MIN_MINUTES = int(env("STORIES_FEED_MIN_MINUTES", "30"))
STORIES_FEED_MAX_BYTES = int(env("STORIES_FEED_MAX_BYTES", str(2 * 1024 * 1024)))
STORIES_FEED_TIMEOUT = float(env("STORIES_FEED_TIMEOUT", "10"))
# Feeds on private or loopback addresses (a feed served on this machine): off in production.
STORIES_FEED_ALLOW_PRIVATE = env_bool("STORIES_FEED_ALLOW_PRIVATE", DEBUG or TESTING)
# The demo's feeds are files (demo-feed:<name>): never from what an organiser types; development and tests only.
STORIES_DEMO_FEEDS = env_bool("STORIES_DEMO_FEEDS", DEBUG or TESTING)

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a deliberate, hard-to-undo choice for an operator (it needs a submission to
        # the browsers' list), not a default: don't warn about its absence.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]


def _tile_origins(url_template: str) -> list[str]:
    """The origins map tiles come from, for the policy's img-src ({s} sub-domains become *)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url_template.replace("{s}", "tiles-subdomain"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return []
    host = parts.netloc.replace("tiles-subdomain", "*")
    return [f"{parts.scheme}://{host}"]


# Content-Security-Policy (django-csp): scripts only from our own files, never inline, so a slip in
# escaping cannot run. Style attributes are allowed (category colours), <style> elements are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_origins(MAP_TILE_URL), *env_list("CSP_EXTRA_IMG_SRC")],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO" if not TESTING else "WARNING")},
}

# API: how many rows one page may hold.
API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100
# allauth's mails go through the one e-mail path (notifications/email.py), so the adapter is extended there.
ACCOUNT_ADAPTER = "squaremile.notifications.adapter.AccountAdapter"
