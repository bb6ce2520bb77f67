"""Secret shapes seen in real repositories, one per row, and look-alikes that must pass untouched.
Each row is the smallest line that carries the shape; the secret must not survive redaction."""

import pytest

from reviewer.llm.redact import MARK, redact

SECRETS = [
    # *_PASS / *_PASSWD, in every assignment syntax
    ("DB_PASS=hunter2", "hunter2"),
    ("export SMTP_PASS='mailpw42'", "mailpw42"),
    ("      MYSQL_PASS: s3cr3tvalue", "s3cr3tvalue"),
    ("      - RABBITMQ_DEFAULT_PASS=rabbitpw", "rabbitpw"),
    ('redis.pass = "cachepw9"', "cachepw9"),
    ("ENV ADMIN_PASSWD=rootpw1", "rootpw1"),
    ('ftp_passwd: "ftp-pw-2"', "ftp-pw-2"),
    ('{"ldap_pass": "ldappw3"}', "ldappw3"),
    ("connect(db_pass='pypw44')", "pypw44"),
    ("ARG NEXUS_PASS=nexuspw5", "nexuspw5"),
    # Authorization headers and their schemes
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
    ("Proxy-Authorization: Basic Zm9vOmJhcg==", "Zm9vOmJhcg=="),
    ('headers = {"Authorization": "Bearer abc.def.ghi"}', "abc.def.ghi"),
    ("authorization: Bearer shorttok", "shorttok"),
    ('curl -H "Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b" https://x', "9944b09199c62bcf"),
    ("{'Authorization': 'Basic Ym9iOmh1bnRlcjI='}", "Ym9iOmh1bnRlcjI="),
    ('requests.get(url, headers={"authorization": "Digest abc123"})', "abc123"),
    ("Authorization: rawtokenvalue123", "rawtokenvalue123"),
    ('r.headers["X"] = "Basic YWRtaW46YWRtaW4xMjM="', "YWRtaW46YWRtaW4xMjM="),
    ("# curl -H 'authorization: bearer opaque-token-1'", "opaque-token-1"),
    # .netrc, one line or spread over lines
    ("machine api.example.com login bob password s3cret", "s3cret"),
    ("machine x login y password z", "password z"),
    ("default login anonymous password guestpw", "guestpw"),
    ("  password netrcpw7", "netrcpw7"),
    ("login deploy password deploypw8", "deploypw8"),
    ("machine git.example.com login ci password cipw9 machine other login a password b", "cipw9"),
    # command-line credentials
    ("curl -u bob:hunter22 https://example.com", "hunter22"),
    ("wget --http-user=bob --http-password=x --user=bob:wgetpw https://x", "wgetpw"),
    # shapes the redactor already knew, in other syntaxes
    ('AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', "wJalrXUtnFEMI"),
    ("REDIS_URL=redis://:cachepw@redis:6379/0", "cachepw"),
    ("amqp://user:brokerpw@mq/", "brokerpw"),
    ("jwt_secret_key: jwtsigningsecret", "jwtsigningsecret"),
    ("kafka.sasl.password=saslpw1", "saslpw1"),
]


@pytest.mark.parametrize(("line", "secret"), SECRETS)
def test_secret_shape_is_redacted(line, secret):
    out, count = redact(line)
    assert secret not in out, out
    assert MARK in out and count >= 1


LOOKALIKES = [
    "proxy_pass http://backend:8000;",
    "BYPASS_CACHE=1",
    "COMPASS=north",
    "Basic usage of the API is free",
    "Basic authentication is weak without TLS",
    "password reset link sent to the user",
    "The Authorization header is required",
    'headers["Authorization"] = f"Bearer {token}"',
    "headers = {'authorization': f'Bearer {settings.token}'}",
    'headers = {"Authorization": auth_header}',
    "authorization=Depends(get_current_user)",
    "Authorization: Bearer ${API_TOKEN}",
    "Authorization: <token>",
    "DB_PASS=${DB_PASS}",
    'ADMIN_PASS = os.environ["ADMIN_PASS"]',
    "DB_PASS_FILE=/run/secrets/db_pass",
    "curl -u $USER:$PASSWORD https://example.com",
    "passthrough: true",
]


@pytest.mark.parametrize("line", LOOKALIKES)
def test_look_alike_is_untouched(line):
    assert redact(line) == (line, 0)


def test_new_shapes_are_idempotent():
    once, _ = redact("\n".join(line for line, _ in SECRETS))
    assert redact(once) == (once, 0)
