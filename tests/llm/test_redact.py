import pytest

from reviewer.llm.redact import MARK, redact

# (line, the secret that must disappear)
PLANTED = [
    ("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ('aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', "wJalrXUtnFEMI/K7MDENG"),
    ("token: ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
    ("x = 'gho_abcdefghijklmnopqrstuvwxyz0123456789'", "gho_abcdefghijklmnopqrst"),
    ("GH=github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_pat_11ABCDEFG0123456789"),
    ("hook = 'xoxb-1234567890-abcdefghijkl'", "xoxb-1234567890-abcdefghijkl"),
    ("stripe.api_key = 'sk_live_abcdefghijklmnop1234'", "sk_live_abcdefghijklmnop1234"),
    ("refund_key: rk_live_abcdefghijklmnop1234", "rk_live_abcdefghijklmnop1234"),
    ("client = Anthropic(api_key='sk-ant-api03-abcdefghijklmnop')", "sk-ant-api03-abcdefghijklmnop"),
    ("OPENAI = 'sk-proj-abcdefghijklmnopqrstuvwx'", "sk-proj-abcdefghijklmnopqrstuvwx"),
    ("DATABASE_URL=postgresql://app:s3cr3tpw@db:5432/app", "s3cr3tpw"),
    ('engine = create_engine("postgresql+asyncpg://orders:hunter2x@db/orders")', "hunter2x"),
    ('BROKER = "amqp://guest:rabbitpw1@rabbitmq:5672/"', "rabbitpw1"),
    ("JWT_SECRET=supersecretvalue", "supersecretvalue"),
    ('SECRET_KEY = "django-insecure-abc123"', "django-insecure-abc123"),
    ('    api_key: str = "inline-literal-1"', "inline-literal-1"),
    ("      POSTGRES_PASSWORD: composepw9", "composepw9"),
    ("      - REDIS_PASSWORD=redispw7", "redispw7"),
    ('{"client_secret": "jsonsecret1"}', "jsonsecret1"),
    ('httpx.post(url, headers={"x-api-key": "hdrkey12345"})', "hdrkey12345"),
    ('headers = {"Authorization": "Bearer abcdefghijklmnop0123456789"}', "abcdefghijklmnop0123456789"),
    ("export SERVICE_TOKEN=tok_98765", "tok_98765"),
]


@pytest.mark.parametrize(("line", "secret"), PLANTED)
def test_planted_secret_is_redacted(line, secret):
    out, count = redact(line)
    assert secret not in out
    assert MARK in out and count >= 1


@pytest.mark.parametrize("line", [
    'API_KEY = os.environ["API_KEY"]',
    "API_KEY = settings.api_key",
    "token = get_token()",
    "    password: ${DB_PASSWORD}",
    'DATABASE_URL: "postgresql://app:${DB_PASSWORD}@db/app"',
    "secret_key: SecretStr",
    "api_key: str = Field(default=...)",
    "max_tokens = 4096",
    "          secretKeyRef:",
    "            key: password",
    "response = httpx.get(url, timeout=5.0)",
])
def test_references_and_code_are_kept(line):
    assert redact(line) == (line, 0)


def test_kubernetes_env_value_under_a_secret_name():
    text = ("        - name: API_TOKEN\n          value: \"k8stokenvalue\"\n"
            "        - name: LOG_LEVEL\n          value: debug\n")
    out, count = redact(text)
    assert "k8stokenvalue" not in out and "value: debug" in out and count == 1


def test_private_key_block_is_redacted_line_by_line():
    body = "MIIEowIBAAKCAQEA1234567890abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
    text = (f"tls_key = '''\n-----BEGIN RSA PRIVATE KEY-----\n{body}\n{body[::-1]}\n"
            "-----END RSA PRIVATE KEY-----\n'''\nx = 1")
    out, _ = redact(text)
    assert body not in out and body[::-1] not in out
    assert out.count("\n") == text.count("\n")  # line numbers stay right
    assert out.endswith("'''\nx = 1")


def test_a_key_cut_off_by_the_hunk_ends_at_the_next_ordinary_line():
    text = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nport: 8080"
    out, _ = redact(text)
    assert "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ" not in out
    assert out.endswith("\nport: 8080")


def test_redaction_is_idempotent():
    once, _ = redact("\n".join(line for line, _ in PLANTED))
    twice, count = redact(once)
    assert twice == once and count == 0
