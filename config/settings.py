"""Settings for 老旧小区管理平台, driven by the environment (django-environ).

With nothing set — the embedded default — the app runs on a SQLite file under var/ (WAL mode,
so the web server and the worker can share it) with Celery on kombu's filesystem transport
under var/, so no server has to be installed. Production sets DATABASE_URL (PostgreSQL) and
CELERY_BROKER_URL (Redis).
"""

import datetime as dt
import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env(
    DEBUG=(bool, True),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "testserver"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    TIME_ZONE=(str, "Asia/Shanghai"),
    LANGUAGE_CODE=(str, "zh-hans"),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env("DEBUG")
# The embedded default runs with DEBUG on and a fixed development key; production must set
# SECRET_KEY (manage.py check --deploy refuses the development key).
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-laojiu-embedded-development-key-not-for-production")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "core.admin_site.CityAdminConfig",  # the Django admin, limited to city_admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "axes",
    "csp",
    "core",
    "accounts",
    "communities",
    "assessments",
    "subsidies",
    "staffing",
    "disputes",
    "residents",
    "workbench",  # the top: may import every app, none imports it
    "dashboards",  # the top too: the home page and its dashboard
    "rest_framework_api_key",
    "integrations",
]

MIDDLEWARE = [
    "core.middleware.HealthCheckMiddleware",  # first: before the HTTPS redirect and the host check
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the request into the database: NUL and control characters → 400.
    "core.input_guard.ControlCharacterMiddleware",
    "core.api.request_guard.ApiRequestGuardMiddleware",  # /api/: repeated query key 400, non-JSON body 415
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.IdleSessionMiddleware",
    "core.middleware.OutOfScopeMiddleware",  # a service's OutOfScope → 404
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    # The home page leads with the 工作台 (a process_view hook on "/" only).
    "workbench.middleware.WorkbenchHomeMiddleware",
]

ROOT_URLCONF = "config.urls"
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
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the
    # write lock up front so two writers queue (busy timeout) instead of failing mid-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
    # The test database is a file too (one per test process), not memory, so that a real
    # Celery worker started by a test (tests/assessments/test_worker.py) can share it.
    DATABASES["default"].setdefault("TEST", {"NAME": str(VAR_DIR / f"test_db_{os.getpid()}.sqlite3")})
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.CharacterClassValidator"},
    {"NAME": "accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"remember": 5}},
]
LOGIN_URL = "accounts:login"
LOGIN_URL_PATH = "/accounts/login/"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE")
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = env("TIME_ZONE")
USE_I18N = True
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True
# The name every page's title and header shows, the login page's included (never the host).
PLATFORM_NAME = env.str("PLATFORM_NAME", default="老旧小区管理平台")

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: missing or wrong credentials answer 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    # The API reads JSON only (a form post is 415): nested fields (committee members) have no
    # form spelling, and the OpenAPI schema then lists the one request type a client must send.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "老旧小区管理平台 API",
    "DESCRIPTION": "Registry, assessments and subsidies of old residential estates (宁政办发〔2017〕215号).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and its docs are for signed-in users and systems holding a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_errors",  # every operation documents its error answers
    ],
    "ENUM_NAME_OVERRIDES": {
        "DisputeCategoryEnum": "disputes.choices.DisputeCategory",
        "RepairCategoryEnum": "disputes.choices.RepairCategory",
        # 受理方式: what a case records (居民自报 included) and what a clerk may enter.
        "ChannelEnum": "disputes.choices.Channel",
        "ClerkChannelEnum": "disputes.choices.CLERK_CHANNELS",
    },
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        # kombu's default is ./control, relative to wherever the worker was started: keep its
        # exchange table under var/ with the rest of the embedded broker, out of the checkout.
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True


# --- Cache ----------------------------------------------------------------------------------
# One cache for every gunicorn worker and every node: the large-scope dashboards are counted
# once, and whatever counts across requests (rate limits) counts once. Django's own RedisCache,
# in a Redis database of its own so that purging the broker's queue never empties it:
# CACHE_URL when set (redis://host:6379/1), else the broker's Redis at the next database number.
# Local memory (one copy per process) only for the embedded default, which runs one process.
def _cache_url(broker: str) -> str:
    from urllib.parse import urlparse

    explicit = env.str("CACHE_URL", default="")
    if explicit or not broker.startswith(("redis://", "rediss://")):
        return explicit
    parsed = urlparse(broker)
    broker_db = int(parsed.path.strip("/") or 0)
    return parsed._replace(path=f"/{broker_db + 1}").geturl()


CACHE_URL = _cache_url(CELERY_BROKER_URL)
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="laojiu"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Long work is a row with a lease (core.jobs): a live worker renews it; a job whose lease has
# lapsed (its worker died) is claimed again by the sweeper.
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=120)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
# A failed attempt is taken again after JOB_RETRY_BASE_SECONDS × attempts (at most a minute).
JOB_RETRY_BASE_SECONDS = env.int("JOB_RETRY_BASE_SECONDS", default=5)
JOB_FILE_RETENTION_DAYS = env.int("JOB_FILE_RETENTION_DAYS", default=30)

# --- Imports --------------------------------------------------------------------------------
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=50 * 1024 * 1024)
# A declared unpacked size this many times the file's size is a bomb, refused unopened.
IMPORT_MAX_UNPACK_RATIO = env.int("IMPORT_MAX_UNPACK_RATIO", default=200)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=500 * 1024 * 1024)

# --- Security -------------------------------------------------------------------------------
# Personal API tokens (core.api.auth) are valid this many days after they were issued.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)
# A session ends after 30 minutes without a user action (core.middleware.IdleSessionMiddleware;
# background polling such as progress bars does not count), and after 12 hours in any case.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login lockout (django-axes): 5 failures for one (username, IP address) pair lock that pair for
# 30 minutes; other users behind the same government NAT address are not locked out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
AXES_VERBOSE = False

# Content Security Policy (django-csp): nothing from outside, no inline or eval'd scripts.
# Inline style attributes are allowed (Bootstrap's progress bars, Swagger UI's <style>); they
# cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# A refused request (403, or 404: also what an object outside the user's scope answers) is one
# line — user, method, path, reason — with no traceback, logged once: Django's own "django"
# logger (its console handler under DEBUG) repeated every record the root prints, and runserver's
# access line repeated the request (core/request_log.py).
LOGGING["filters"] = {"refused": {"()": "core.request_log.RefusedRequestFilter"}}
LOGGING["loggers"].update(
    {
        "django": {"handlers": [], "level": "INFO"},  # its records reach the root's console once
        "django.request": {"filters": ["refused"]},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True, "filters": ["refused"]},
    }
)

# --- Forms (issue 20) -------------------------------------------------------------------------
# An estate's coordinates lie in Nanjing: the city's extent (31°14′–32°37′ N, 118°22′–119°14′ E)
# rounded outward, so an estate at the edge of 高淳 or 六合 is never refused.
NANJING_BOUNDS = {"latitude": ("31.1", "32.7"), "longitude": ("118.3", "119.3")}
# Free text: the longest a text of each kind may be, in characters (forms, API and imports refuse
# longer ones with a Chinese message; the page shows a counter). core.validation.text_limit.
TEXT_LIMITS = {
    "description": 2000,  # 情况描述, 移交事项, 部门反馈, 发现问题, 服务标准 …
    "note": 500,  # 说明, 备注, 审查意见, 回访意见 (a step's note)
    "minutes": 5000,  # 联席会议的议题与议定事项
    "list": 2000,  # 参会部门和单位, 值班人员 (one per line)
}

# --- Workbench (工作台) ----------------------------------------------------------------------
# A to-do row due within this many hours is marked 即将到期 (and reminded in the morning).
WORKBENCH_DUE_SOON_HOURS = env.int("WORKBENCH_DUE_SOON_HOURS", default=24)
# The morning reminders run at this time, Asia/Shanghai (the beat schedule of workbench's
# migration 0002 starts from it; change the schedule in the admin afterwards).
WORKBENCH_MORNING_TIME = env.str("WORKBENCH_MORNING_TIME", default="07:30")
# At most this many reminders per to-do kind and user each morning (the most urgent), and one
# line saying there are more: a city-wide role is not buried under thousands.
WORKBENCH_REMINDERS_PER_KIND = env.int("WORKBENCH_REMINDERS_PER_KIND", default=20)
WORKBENCH_REMINDER_RETENTION_DAYS = env.int("WORKBENCH_REMINDER_RETENTION_DAYS", default=184)

# --- Residents' channel (居民自报, residents/; docs/residents.md) ------------------------------
# A resident may rate a closed case this many days after it was closed.
RATING_DAYS = env.int("RATING_DAYS", default=15)
# Two reports of the same estate, category and room within this many hours: flagged as duplicate.
RESIDENTS_DUPLICATE_HOURS = env.int("RESIDENTS_DUPLICATE_HOURS", default=2)
# Rate limits of the public form (HTTP 429 past them), counted in the shared cache.
RESIDENTS_REPORTS_PER_IP_PER_HOUR = env.int("RESIDENTS_REPORTS_PER_IP_PER_HOUR", default=10)
RESIDENTS_REPORTS_PER_MOBILE_PER_DAY = env.int("RESIDENTS_REPORTS_PER_MOBILE_PER_DAY", default=5)
# A captcha is asked from the (n+1)-th report of an IP address within an hour.
RESIDENTS_CAPTCHA_AFTER = env.int("RESIDENTS_CAPTCHA_AFTER", default=1)
# Photos: at most this many, each at most this many bytes and pixels (checked before decoding).
RESIDENTS_MAX_PHOTOS = env.int("RESIDENTS_MAX_PHOTOS", default=3)
RESIDENTS_PHOTO_MAX_BYTES = env.int("RESIDENTS_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
RESIDENTS_PHOTO_MAX_PIXELS = env.int("RESIDENTS_PHOTO_MAX_PIXELS", default=40_000_000)
# Who hears of a new report and of a 不满意: a dotted path to a class with send(message);
# the default writes to the log (never a phone number). See docs/residents.md for an SMS gateway.
RESIDENTS_NOTIFIER = env.str("RESIDENTS_NOTIFIER", default="residents.notify.LogNotifier")

# --- Other systems: API keys and Open311 GeoReport v2 (integrations/, docs/open311.md) ---------
# A key from `manage.py create_api_key` lasts this many days unless --days says otherwise.
API_KEY_DAYS = env.int("API_KEY_DAYS", default=365)
# POST requests.json: at most N per window, counted per key, per client address and per reporter's
# number (hashed); past it HTTP 429 with Retry-After. "N/second|minute|hour|day".
GEOREPORT_POST_RATES = {
    "key": env.str("GEOREPORT_POST_RATE_KEY", default="600/hour"),
    "ip": env.str("GEOREPORT_POST_RATE_IP", default="600/hour"),
    "phone": env.str("GEOREPORT_POST_RATE_PHONE", default="10/hour"),
}
# A lat/long POST is filed at the nearest estate within this distance (metres), else refused.
GEOREPORT_NEAREST_ESTATE_METRES = env.int("GEOREPORT_NEAREST_ESTATE_METRES", default=300)
