#!/usr/bin/env python3
"""Writes the provider vectors of this folder (github.json, stripe.json, ...).

An independent re-implementation of each provider's signing, in Python's standard library
(plus `cryptography` for Ed25519), so the Rust layers are checked against a second reading of
the provider docs. Run from this folder: `python3 generate.py`. Secrets and keys are TEST ONLY.
"""
import base64
import hashlib
import hmac
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

NOW = 1795341600  # 2026-11-22T10:00:00Z
NOW_TEXT = "2026-11-22T10:00:00Z"
HOST = "https://hooks.example.com"


def rfc3339(unix):
    import datetime
    return datetime.datetime.fromtimestamp(unix, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def mac(secret, message, digest=hashlib.sha256):
    return hmac.new(secret.encode(), message if isinstance(message, bytes) else message.encode(), digest).digest()


def hexmac(secret, message):
    return mac(secret, message).hex()


def b64(raw):
    return base64.b64encode(raw).decode()


def req(headers, body, expect, uri="/hook", method="POST", inner_status=None, provider_path=None):
    r = {"method": method, "uri": HOST + uri, "headers": headers, "body": body, "expect": expect}
    if inner_status is not None:
        r["inner_status"] = inner_status
    return r


def accept(event=None):
    e = {"verdict": "accept", "status": 200, "reason": None}
    if event is not None:
        e["event"] = event
    return e


def reject(reason):
    status = {"missing_header": 400, "malformed_header": 400, "malformed_body": 400,
              "signature_mismatch": 401, "timestamp_out_of_tolerance": 401,
              "method_not_allowed": 405, "body_too_large": 413}[reason]
    return {"verdict": "reject", "status": status, "reason": reason}


def duplicate():
    return {"verdict": "duplicate", "status": 200, "reason": None}


def respond(body=None):
    e = {"verdict": "respond", "status": 200, "reason": None}
    if body is not None:
        e["body"] = body
    return e


def case(provider, name, description, config, requests, now=NOW):
    return {"id": f"{provider}/{name}", "provider": provider, "description": description,
            "now": rfc3339(now), "config": config, "remote": {}, "requests": requests}


def flip_hex(text):
    last = text[-1]
    return text[:-1] + ("0" if last != "0" else "1")


def write(provider, cases):
    with open(f"{provider}.json", "w") as f:
        json.dump({"cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")


# ---------------------------------------------------------------- GitHub
def github():
    p = "github"
    secret = "It's a Secret to Everybody"
    published = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert "sha256=" + hexmac(secret, "Hello, World!") == published
    cfg = {"secrets": [secret]}
    body = '{"zen":"Keep it logically awesome.","hook_id":12345678}'
    # octokit/webhooks-methods.js test/verify.test.ts: GitHub-shaped payloads (2-space JSON and
    # a final newline; \u escapes with upper-case hex) with their printed signatures.
    octokit = "octokit/webhooks-methods.js test/verify.test.ts"
    oct_body = '{\n  "foo": "bar"\n}\n'
    oct_sig = "sha256=e3eccac34c43c7dc1cbb905488b1b81347fcc700a7b025697a9d07862256023f"
    oct_special = '{\n  "foo": "Foo\\n\\u001B[34mbar: ♥♥♥♥♥♥♥♥\\nthis-is-lost\\u001B[0m\\u001B[2K"\n}\n'
    oct_special_sig = "sha256=9dacf9003316b09be07df56d86a2d0d6872e42a1e6c72c3bad9ff915a7c5603e"
    oct_escaped = '{\n  "foo": "\\\\u001b"\n}\n'
    oct_escaped_sig = "sha256=87316067e2011fae39998b18c46a14d83b3e7c3ffdd88fb2ee5afb7d11288e60"
    assert "sha256=" + hexmac("mysecret", oct_body) == oct_sig
    assert "sha256=" + hexmac("development", oct_special) == oct_special_sig
    assert "sha256=" + hexmac("development", oct_escaped) == oct_escaped_sig
    sig = "sha256=" + hexmac(secret, body)
    h = lambda s, d="72d3162e-cc78-11e3-81ab-4c9367dc0958": [["Content-Type", "application/json"], ["X-GitHub-Event", "ping"], ["X-GitHub-Delivery", d], ["X-Hub-Signature-256", s]]
    c = [
        case(p, "published-example", "GitHub's documented example: secret \"It's a Secret to Everybody\", payload \"Hello, World!\".", cfg,
             [req(h(published), "Hello, World!", accept({"id": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "event_type": "ping", "matched_key": 0, "timestamp": None}))]),
        case(p, "published-sdk-example", f"Octokit's test vector ({octokit}): secret mysecret, {{\"foo\": \"bar\"}} as GitHub writes it, sha256=e3eccac3…023f; the wrong-secret and xxx-prefixed variants are refused.", {"secrets": ["mysecret"]},
             [req(h(oct_sig), oct_body, accept({"matched_key": 0})),
              req(h("sha256=xxxccac34c43c7dc1cbb905488b1b81347fcc700a7b025697a9d07862256023f"), oct_body, reject("malformed_header"))]),
        case(p, "published-sdk-special-characters", f"Octokit's payloads with escape sequences and UTF-8 (issue octokit/webhooks.js#71), secret development ({octokit}).", {"secrets": ["development"]},
             [req(h(oct_special_sig), oct_special, accept()), req(h(oct_escaped_sig), oct_escaped, accept())]),
        case(p, "published-sdk-wrong-secret", f"Octokit's vector under the secret foo ({octokit}).", {"secrets": ["foo"]},
             [req(h(oct_sig), oct_body, reject("signature_mismatch"))]),
        case(p, "upper-case-hex", "The published MAC in upper-case hex still verifies.", cfg,
             [req(h("sha256=" + published[7:].upper()), "Hello, World!", accept())]),
        case(p, "forged-one-digit", "Published example with the MAC's last hex digit changed.", cfg,
             [req(h(flip_hex(published)), "Hello, World!", reject("signature_mismatch"))]),
        case(p, "body-changed", "Published MAC, body with a trailing newline.", cfg,
             [req(h(published), "Hello, World!\n", reject("signature_mismatch"))]),
        case(p, "wrong-secret", "Signed with another secret.", cfg,
             [req(h("sha256=" + hexmac("guess", body)), body, reject("signature_mismatch"))]),
        case(p, "missing-signature", "No X-Hub-Signature-256.", cfg,
             [req(h(sig)[:3], body, reject("missing_header"))]),
        case(p, "legacy-sha1-only", "Only the legacy SHA-1 X-Hub-Signature: not accepted (H56).", cfg,
             [req(h(sig)[:3] + [["X-Hub-Signature", "sha1=" + hmac.new(secret.encode(), body.encode(), hashlib.sha1).hexdigest()]], body, reject("missing_header"))]),
        case(p, "sha1-prefix", "The SHA-256 MAC under a `sha1=` label: labels are exact.", cfg,
             [req(h("sha1=" + sig[7:]), body, reject("signature_mismatch"))]),
        case(p, "not-hex", "Signature is not hex.", cfg,
             [req(h("sha256=zz" + sig[9:]), body, reject("malformed_header"))]),
        case(p, "truncated", "First 8 hex digits of the MAC only.", cfg,
             [req(h(sig[:15]), body, reject("signature_mismatch"))]),
        case(p, "repeated-header", "X-Hub-Signature-256 twice (first wrong, second right).", cfg,
             [req(h("sha256=" + "0" * 64) + [["X-Hub-Signature-256", sig]], body, reject("malformed_header"))]),
        case(p, "rotated-secret", "Two secrets configured; signed with the second (old) one.", {"secrets": ["new-secret-2026", secret]},
             [req(h(sig), body, accept({"matched_key": 1}))]),
        case(p, "replay-with-new-delivery-id", "The same signed body twice with different unsigned delivery ids: duplicate (H57).", cfg,
             [req(h(sig), body, accept()), req(h(sig, "ffffffff-0000-0000-0000-000000000000"), body, duplicate())]),
        case(p, "inner-failure-releases", "Inner service answers 500; GitHub's redelivery is processed.", cfg,
             [req(h(sig), body, {"verdict": "accept", "status": 500, "reason": None}, inner_status=500), req(h(sig), body, accept())]),
        case(p, "get-refused", "GET is not a delivery.", cfg,
             [req(h(sig), "", reject("method_not_allowed"), method="GET")]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Stripe
def stripe():
    p = "stripe"
    secret = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH"
    old = "whsec_test_oldoldoldoldoldoldoldoldoldold"
    cfg = {"secrets": [secret], "tolerance_secs": 300}
    body = '{\n  "id": "evt_1NG8Du2eZvKYlo2CUI79vXWy",\n  "object": "event",\n  "api_version": "2022-11-15",\n  "created": 1795341590,\n  "type": "invoice.paid"\n}'
    def sig(t, s=secret, b=body):
        return f"t={t},v1={hexmac(s, f'{t}.{b}')}"
    h = lambda v: [["Content-Type", "application/json; charset=utf-8"], ["Stripe-Signature", v]]
    t = NOW - 10
    ev = {"id": "evt_1NG8Du2eZvKYlo2CUI79vXWy", "event_type": "invoice.paid", "timestamp": t, "matched_key": 0}
    good = sig(t)
    c = [
        case(p, "valid", "Event signed like Stripe (documented header format t=..,v1=..), 10 s old.", cfg, [req(h(good), body, accept(ev))]),
        case(p, "valid-with-v0", "Stripe's documented shape with a test-mode v0 entry next to v1: v0 is ignored.", cfg,
             [req(h(good + ",v0=" + "6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39"), body, accept())]),
        case(p, "rotation-two-v1", "During a secret roll Stripe sends two v1; the valid one is last.", {"secrets": [secret, old], "tolerance_secs": 300},
             [req(h(f"t={t},v1={'0' * 64},v1={hexmac(old, f'{t}.{body}')}"), body, accept({"matched_key": 1}))]),
        case(p, "boundary-300s", "Exactly 300 s old: accepted (inclusive).", cfg, [req(h(sig(NOW - 300)), body, accept())]),
        case(p, "stale-301s", "301 s old.", cfg, [req(h(sig(NOW - 301)), body, reject("timestamp_out_of_tolerance"))]),
        case(p, "future-301s", "301 s in the future (Stripe's SDK would accept; we bound both ways).", cfg, [req(h(sig(NOW + 301)), body, reject("timestamp_out_of_tolerance"))]),
        case(p, "forged", "MAC's last digit changed.", cfg, [req(h(flip_hex(good)), body, reject("signature_mismatch"))]),
        case(p, "timestamp-changed", "Valid MAC, t moved by one second.", cfg, [req(h(good.replace(f"t={t}", f"t={t + 1}")), body, reject("signature_mismatch"))]),
        case(p, "only-v0", "Only a v0 signature (H52).", cfg, [req(h(good.replace("v1=", "v0=")), body, reject("signature_mismatch"))]),
        case(p, "t-repeated", "t twice with different values (H51).", cfg, [req(h(f"t={t},{good}"), body, reject("malformed_header"))]),
        case(p, "spaces", "Optional whitespace after the comma (H53).", cfg, [req(h(good.replace(",", ", ")), body, reject("malformed_header"))]),
        case(p, "t-junk", "t=<ts>abc (H54).", cfg, [req(h(good.replace(f"t={t}", f"t={t}abc")), body, reject("malformed_header"))]),
        case(p, "missing", "No Stripe-Signature.", cfg, [req([["Content-Type", "application/json"]], body, reject("missing_header"))]),
        case(p, "no-id", "Authentic body without an id.", cfg,
             [req(h(sig(t, b='{"object":"event"}')), '{"object":"event"}', reject("malformed_body"))]),
        case(p, "retry-new-t-is-duplicate", "Stripe retries the same event with a new t: duplicate on the signed id.", cfg,
             [req(h(good), body, accept()), req(h(sig(t + 5)), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Slack
def slack():
    p = "slack"
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    cfg = {"secrets": [secret], "tolerance_secs": 300}
    def sig(ts, b, s=secret):
        return "v0=" + hexmac(s, f"v0:{ts}:{b}")
    def h(ts, b, s=None, ct="application/json"):
        return [["Content-Type", ct], ["X-Slack-Request-Timestamp", str(ts)], ["X-Slack-Signature", s if s is not None else sig(ts, b)]]
    t = NOW - 5
    event = '{"token":"XXYYZZ","team_id":"T123ABC456","api_app_id":"A123ABC456","event":{"type":"app_mention","user":"U123ABC456","text":"hi","ts":"1515449522.000016","channel":"C123ABC456"},"type":"event_callback","event_id":"Ev123ABC456","event_time":1795341595}'
    challenge = '{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}'
    # The form body of Slack's documented example (slash command).
    form = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebbot&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    # Slack's published example, verbatim ("Verifying requests from Slack"): its printed
    # signature must come out of the real layer.
    published = form.replace("%2Fwebbot", "%2Fwebhook-collect")
    published_ts = 1531420618
    published_sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert sig(published_ts, published) == published_sig
    c = [
        case(p, "published-example", "Slack's published example (signing secret, timestamp 1531420618, slash-command form body, the printed v0= signature); one edited byte is refused.", cfg,
             [req(h(published_ts, published, published_sig, ct="application/x-www-form-urlencoded"), published, accept()),
              req(h(published_ts, published.replace("roadrunner", "coyote"), published_sig, ct="application/x-www-form-urlencoded"), published.replace("roadrunner", "coyote"), reject("signature_mismatch"))],
             now=published_ts + 50),
        case(p, "event-callback", "Events API callback signed over v0:{ts}:{body}.", cfg,
             [req(h(t, event), event, accept({"id": "Ev123ABC456", "event_type": "app_mention", "timestamp": t, "matched_key": 0}))]),
        case(p, "slash-command-documented-body", "Slack's documented slash-command form body and example secret, signed at now-5.", cfg,
             [req(h(t, form, ct="application/x-www-form-urlencoded"), form, accept({"id": None, "event_type": "/webbot"}))]),
        case(p, "upper-case-hex", "Upper-case hex after v0= (H55).", cfg,
             [req(h(t, event, "v0=" + sig(t, event)[3:].upper()), event, accept())]),
        case(p, "v1-label", "The valid MAC under v1= (H55).", cfg,
             [req(h(t, event, "v1=" + sig(t, event)[3:]), event, reject("signature_mismatch"))]),
        case(p, "url-verification-after-signature", "The url_verification handshake is answered with the challenge, after verification.", cfg,
             [req(h(t, challenge), challenge, respond("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))]),
        case(p, "url-verification-forged", "An unsigned url_verification is refused, never answered.", cfg,
             [req(h(t, challenge, sig(t, challenge, "guess")), challenge, reject("signature_mismatch"))]),
        case(p, "stale-301s", "Signed 301 s ago.", cfg, [req(h(NOW - 301, event), event, reject("timestamp_out_of_tolerance"))]),
        case(p, "future-301s", "Signed 301 s ahead.", cfg, [req(h(NOW + 301, event), event, reject("timestamp_out_of_tolerance"))]),
        case(p, "timestamp-swapped", "Valid MAC for another timestamp.", cfg,
             [req(h(t, event, sig(t - 1, event)), event, reject("signature_mismatch"))]),
        case(p, "timestamp-not-decimal", "X-Slack-Request-Timestamp with a leading zero.", cfg,
             [req([["Content-Type", "application/json"], ["X-Slack-Request-Timestamp", "0" + str(t)], ["X-Slack-Signature", sig(t, event)]], event, reject("malformed_header"))]),
        case(p, "missing-timestamp", "No X-Slack-Request-Timestamp.", cfg,
             [req([["Content-Type", "application/json"], ["X-Slack-Signature", sig(t, event)]], event, reject("missing_header"))]),
        case(p, "signature-not-hex", "v0= followed by non-hex.", cfg,
             [req(h(t, event, "v0=" + "g" * 64), event, reject("malformed_header"))]),
        case(p, "rotated-secret", "Two signing secrets; signed with the second.", {"secrets": ["new-signing-secret-9c1d", secret], "tolerance_secs": 300},
             [req(h(t, event), event, accept({"matched_key": 1}))]),
        case(p, "retry-is-duplicate", "Slack retries the same event_id with a new timestamp and X-Slack-Retry-Num.", cfg,
             [req(h(t, event), event, accept()), req(h(t + 60, event) + [["X-Slack-Retry-Num", "1"]], event, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Shopify
def shopify():
    p = "shopify"
    secret = "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"
    old = "shpss_old_c0ffee"
    cfg = {"secrets": [secret]}
    body = '{"id":820982911946154508,"email":"jon@example.com","total_price":"403.00"}'
    sig = b64(mac(secret, body))
    h = lambda s, i="b54557e4-bdd9-4b37-8a5f-bf7d70bcd043": [["Content-Type", "application/json"], ["X-Shopify-Topic", "orders/create"], ["X-Shopify-Webhook-Id", i], ["X-Shopify-Hmac-Sha256", s]]
    c = [
        case(p, "valid", "Base64 HMAC-SHA256 of the raw body.", cfg,
             [req(h(sig), body, accept({"id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", "event_type": "orders/create", "matched_key": 0}))]),
        case(p, "forged", "Signed with another secret.", cfg, [req(h(b64(mac("guess", body))), body, reject("signature_mismatch"))]),
        case(p, "hex-instead-of-base64", "The right MAC written in hex: not base64 of 32 bytes.", cfg,
             [req(h(mac(secret, body).hex()), body, reject("signature_mismatch"))]),
        case(p, "url-safe-alphabet", "Base64url alphabet is refused.", cfg,
             [req(h(sig.replace("+", "-").replace("/", "_") if ("+" in sig or "/" in sig) else sig[:-2] + "-="), body, reject("malformed_header"))]),
        case(p, "missing", "No X-Shopify-Hmac-Sha256.", cfg, [req(h(sig)[:3], body, reject("missing_header"))]),
        case(p, "rotation", "Old and new client secret during Shopify's rotation hour; signed with the old one.", {"secrets": [secret, old]},
             [req(h(b64(mac(old, body))), body, accept({"matched_key": 1}))]),
        case(p, "replay-new-webhook-id", "Captured body replayed with a new unsigned webhook id: duplicate.", cfg,
             [req(h(sig), body, accept()), req(h(sig, "00000000-0000-0000-0000-000000000000"), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Zoom
def zoom():
    p = "zoom"
    secret = "zoom-secret-token-7f1e2d3c"
    cfg = {"secrets": [secret], "tolerance_secs": 300}
    t = NOW - 3
    body = '{"event":"meeting.started","payload":{"account_id":"D8cJuqWVQ623CI4Q8yQK0Q","object":{"id":"85229137498","topic":"Standup"}},"event_ts":1795341597000}'
    validation = '{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1795341597000,"event":"endpoint.url_validation"}'
    def sig(ts, b, s=secret):
        return "v0=" + hexmac(s, f"v0:{ts}:{b}")
    h = lambda ts, b, s=None: [["Content-Type", "application/json"], ["x-zm-request-timestamp", str(ts)], ["x-zm-signature", s if s is not None else sig(ts, b)]]
    answer = json.dumps({"encryptedToken": hexmac(secret, "qgg8vlvZRS6UYooatFL8Aw"), "plainToken": "qgg8vlvZRS6UYooatFL8Aw"}, separators=(",", ":"))
    c = [
        case(p, "valid", "Event signed over v0:{ts}:{body}.", cfg,
             [req(h(t, body), body, accept({"event_type": "meeting.started", "timestamp": t, "matched_key": 0}))]),
        case(p, "url-validation", "endpoint.url_validation answered with the HMAC of plainToken, after verification.", cfg,
             [req(h(t, validation), validation, respond(answer))]),
        case(p, "url-validation-forged", "An unsigned url_validation never gets a MAC back.", cfg,
             [req(h(t, validation, sig(t, validation, "guess")), validation, reject("signature_mismatch"))]),
        case(p, "stale", "Signed 301 s ago.", cfg, [req(h(NOW - 301, body), body, reject("timestamp_out_of_tolerance"))]),
        case(p, "forged", "Signed with another secret.", cfg, [req(h(t, body, sig(t, body, "guess")), body, reject("signature_mismatch"))]),
        case(p, "missing-timestamp", "No x-zm-request-timestamp.", cfg,
             [req([["Content-Type", "application/json"], ["x-zm-signature", sig(t, body)]], body, reject("missing_header"))]),
        case(p, "millisecond-timestamp", "A millisecond timestamp in the header is far in the future (H29).", cfg,
             [req(h(t * 1000, body), body, reject("timestamp_out_of_tolerance"))]),
        case(p, "not-json", "Authentic but not a JSON object.", cfg, [req(h(t, "[1]"), "[1]", reject("malformed_body"))]),
        case(p, "rotation", "Two secret tokens; signed with the second.", {"secrets": ["zoom-new-token", secret], "tolerance_secs": 300},
             [req(h(t, body), body, accept({"matched_key": 1}))]),
        case(p, "duplicate", "The same signed body redelivered.", cfg,
             [req(h(t, body), body, accept()), req(h(t + 1, body), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- GitLab
def gitlab():
    p = "gitlab"
    token = "gl-webhook-token-5b2c8e1f"
    cfg = {"tokens": [token]}
    body = '{"object_kind":"push","ref":"refs/heads/main","checkout_sha":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7"}'
    h = lambda tok, key="9f1c2b3a-6d7e-4f80-9a1b-2c3d4e5f6a7b": [["Content-Type", "application/json"], ["X-Gitlab-Event", "Push Hook"], ["Idempotency-Key", key], ["X-Gitlab-Token", tok]]
    c = [
        case(p, "valid", "The configured secret token.", cfg,
             [req(h(token), body, accept({"id": "9f1c2b3a-6d7e-4f80-9a1b-2c3d4e5f6a7b", "event_type": "Push Hook", "matched_key": 0, "timestamp": None}))]),
        case(p, "wrong-token", "Another token.", cfg, [req(h("gl-webhook-token-5b2c8e1e"), body, reject("signature_mismatch"))]),
        case(p, "prefix-of-token", "A prefix of the token.", cfg, [req(h(token[:-1]), body, reject("signature_mismatch"))]),
        case(p, "missing", "No X-Gitlab-Token.", cfg, [req(h(token)[:3], body, reject("missing_header"))]),
        case(p, "repeated", "X-Gitlab-Token twice.", cfg, [req(h(token) + [["X-Gitlab-Token", token]], body, reject("malformed_header"))]),
        case(p, "rotation", "Two tokens; the second sent.", {"tokens": ["gl-new-token", token]}, [req(h(token), body, accept({"matched_key": 1}))]),
        case(p, "retry-is-duplicate", "GitLab retries with the same Idempotency-Key.", cfg,
             [req(h(token), body, accept()), req(h(token), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Twilio
def twilio():
    p = "twilio"
    token = "12345"
    base = "https://mycompany.com"
    cfg = {"auth_tokens": [token], "public_base": base}
    params = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"), ("From", "+12349013030"), ("To", "+18005551212")]
    from urllib.parse import urlencode, quote
    form = urlencode(params)
    def sig(path, pairs, tok=token):
        s = base + path + "".join(k + v for k, v in sorted(pairs))
        return b64(hmac.new(tok.encode(), s.encode(), hashlib.sha1).digest())
    published = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert sig("/myapp.php?foo=1&bar=2", params) == published
    ct = ["Content-Type", "application/x-www-form-urlencoded"]
    def r(path, headers, body, expect):
        return {"method": "POST", "uri": "https://internal-lb.local:8443" + path, "headers": headers, "body": body, "expect": expect}
    json_body = '{"MessageSid":"SM1","MessageStatus":"delivered"}'
    digest = hashlib.sha256(json_body.encode()).hexdigest()
    json_path = f"/status?bodySHA256={digest}"
    # twilio/twilio-node spec/validation.spec.js: the same URL and token with other caller
    # numbers, and a JSON body whose SHA-256 rides in the signed URL as bodySHA256.
    sdk_params = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"), ("From", "+14158675309"), ("To", "+18005551212")]
    sdk_signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert sig("/myapp.php?foo=1&bar=2", sdk_params) == sdk_signature
    sdk_json = '{"property": "value", "boolean": true}'
    sdk_body_sha = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
    assert hashlib.sha256(sdk_json.encode()).hexdigest() == sdk_body_sha
    sdk_json_path = "/myapp.php?foo=1&bar=2&bodySHA256=" + sdk_body_sha
    sdk_json_signature = "a9nBmqA0ju/hNViExpshrM61xv4="
    assert sig(sdk_json_path, []) == sdk_json_signature
    c = [
        case(p, "published-example", "Twilio's documented example (token 12345, https://mycompany.com/myapp.php?foo=1&bar=2); the request reached us on an internal host: the configured public base is what counts.", cfg,
             [r("/myapp.php?foo=1&bar=2", [ct, ["X-Twilio-Signature", published]], form, accept({"matched_key": 0}))]),
        case(p, "published-sdk-form", "twilio-node's test vector (spec/validation.spec.js): token 12345, https://mycompany.com/myapp.php?foo=1&bar=2, caller +14158675309, RSOYDt4T1cUTdK1PDd93/VVr8B8=.", cfg,
             [r("/myapp.php?foo=1&bar=2", [ct, ["X-Twilio-Signature", sdk_signature]], urlencode(sdk_params), accept({"matched_key": 0}))]),
        case(p, "published-sdk-json-body", "twilio-node's JSON-body test vector (spec/validation.spec.js): body {\"property\": \"value\", \"boolean\": true}, bodySHA256=0a1ff763…6620 in the signed URL, a9nBmqA0ju/hNViExpshrM61xv4=.", cfg,
             [r(sdk_json_path, [["Content-Type", "application/json"], ["X-Twilio-Signature", sdk_json_signature]], sdk_json, accept({"matched_key": 0})),
              r(sdk_json_path, [["Content-Type", "application/json"], ["X-Twilio-Signature", sdk_json_signature]], sdk_json.replace("true", "false"), reject("signature_mismatch"))]),
        case(p, "param-changed", "Published signature, Digits changed.", cfg,
             [r("/myapp.php?foo=1&bar=2", [ct, ["X-Twilio-Signature", published]], form.replace("1234", "1235"), reject("signature_mismatch"))]),
        case(p, "query-changed", "Published signature, another query string.", cfg,
             [r("/myapp.php?foo=1&bar=3", [ct, ["X-Twilio-Signature", published]], form, reject("signature_mismatch"))]),
        case(p, "wrong-public-base", "Signed for https://mycompany.com; configured for another host.", {"auth_tokens": [token], "public_base": "https://other.example.com"},
             [r("/myapp.php?foo=1&bar=2", [ct, ["X-Twilio-Signature", published]], form, reject("signature_mismatch"))]),
        case(p, "not-base64", "Signature is not base64.", cfg,
             [r("/myapp.php?foo=1&bar=2", [ct, ["X-Twilio-Signature", "!!" + published[2:]]], form, reject("malformed_header"))]),
        case(p, "missing", "No X-Twilio-Signature.", cfg, [r("/myapp.php?foo=1&bar=2", [ct], form, reject("missing_header"))]),
        case(p, "secondary-token", "Primary and secondary auth tokens; signed with the secondary.", {"auth_tokens": ["primary-token-0001", token], "public_base": base},
             [r("/myapp.php?foo=1&bar=2", [ct, ["X-Twilio-Signature", published]], form, accept({"matched_key": 1}))]),
        case(p, "json-body-sha256", "JSON webhook: URL carries bodySHA256, the signature covers the URL only.", cfg,
             [r(json_path, [["Content-Type", "application/json"], ["X-Twilio-Signature", sig(json_path, [])]], json_body, accept())]),
        case(p, "json-body-tampered", "JSON webhook with the body changed: bodySHA256 no longer matches.", cfg,
             [r(json_path, [["Content-Type", "application/json"], ["X-Twilio-Signature", sig(json_path, [])]], json_body.replace("delivered", "failed"), reject("signature_mismatch"))]),
        case(p, "duplicate", "The same signed request twice.", cfg,
             [r("/myapp.php?foo=1&bar=2", [ct, ["X-Twilio-Signature", published]], form, accept()),
              r("/myapp.php?foo=1&bar=2", [ct, ["X-Twilio-Signature", published], ["I-Twilio-Idempotency-Token", "other"]], form, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Discord
def discord():
    p = "discord"
    key = Ed25519PrivateKey.from_private_bytes(bytes([0x42] * 32))
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    other = Ed25519PrivateKey.from_private_bytes(bytes([0x24] * 32))
    other_pub = other.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    cfg = {"public_keys": [pub], "tolerance_secs": 300}
    t = NOW - 2
    def sig(ts, b, k=key):
        return k.sign((str(ts) + b).encode()).hex()
    h = lambda ts, b, s=None: [["Content-Type", "application/json"], ["X-Signature-Timestamp", str(ts)], ["X-Signature-Ed25519", s if s is not None else sig(ts, b)]]
    ping = '{"application_id":"11","id":"1200000000000000001","token":"tok","type":1,"user":{"id":"53908232506183680"},"version":1}'
    command = '{"application_id":"11","id":"1200000000000000002","token":"tok","type":2,"data":{"id":"7","name":"hello","type":1},"version":1}'
    c = [
        case(p, "ping-after-verification", "A signed PING is answered {\"type\":1} by the layer.", cfg,
             [req(h(t, ping), ping, respond('{"type":1}'))]),
        case(p, "ping-unsigned-probe", "Discord's deliberate invalid-signature probe: 401, never a PONG (E20).", cfg,
             [req(h(t, ping, "0" * 128), ping, reject("signature_mismatch"))]),
        case(p, "command", "A signed application command.", cfg,
             [req(h(t, command), command, accept({"id": "1200000000000000002", "event_type": "application_command", "timestamp": t, "matched_key": 0}))]),
        case(p, "upper-case-hex", "Upper-case hex signature (E05).", cfg,
             [req(h(t, command, sig(t, command).upper()), command, accept())]),
        case(p, "other-key", "Signed by another key (E13).", cfg,
             [req(h(t, command, sig(t, command, other)), command, reject("signature_mismatch"))]),
        case(p, "other-timestamp", "Valid signature, header timestamp differs (E09).", cfg,
             [req(h(t + 1, command, sig(t, command)), command, reject("signature_mismatch"))]),
        case(p, "short-signature", "126 hex characters (E04).", cfg,
             [req(h(t, command, sig(t, command)[:126]), command, reject("malformed_header"))]),
        case(p, "stale", "Signed 301 s ago (E11).", cfg, [req(h(NOW - 301, command), command, reject("timestamp_out_of_tolerance"))]),
        case(p, "timestamp-plus", "Timestamp with a + sign (E31).", cfg,
             [req(h("+" + str(t), command, sig(t, command)), command, reject("malformed_header"))]),
        case(p, "missing-signature", "No X-Signature-Ed25519 (E03).", cfg,
             [req(h(t, command)[:2], command, reject("missing_header"))]),
        case(p, "rotation", "Two public keys; signed by the second (E23).", {"public_keys": [other_pub, pub], "tolerance_secs": 300},
             [req(h(t, command), command, accept({"matched_key": 1}))]),
        case(p, "replay", "The same interaction twice (E22).", cfg,
             [req(h(t, command), command, accept()), req(h(t, command), command, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- custom
def custom():
    p = "custom"
    secret = "acme-signing-secret-31c4"
    cfg = {"header": "x-acme-signature", "digest": "sha256", "prefix": "v1=", "encoding": "base64",
           "template": "{timestamp}.{body}", "timestamp_header": "x-acme-timestamp", "tolerance_secs": 300,
           "secrets": [secret], "id_header": "x-acme-delivery"}
    body = '{"event":"order.paid","order":42}'
    t = NOW - 1
    sig = lambda ts, b=body, s=secret: "v1=" + b64(mac(s, f"{ts}.{b}"))
    h = lambda ts, s: [["Content-Type", "application/json"], ["x-acme-delivery", "d-1"], ["x-acme-timestamp", str(ts)], ["x-acme-signature", s]]
    typeform_cfg = {"header": "typeform-signature", "prefix": "sha256=", "encoding": "base64", "secrets": ["typeform-secret"]}
    tf_body = '{"event_id":"01HX","event_type":"form_response"}'
    c = [
        case(p, "valid", "A templated, timestamped base64 HMAC.", cfg,
             [req(h(t, sig(t)), body, accept({"id": "d-1", "timestamp": t, "matched_key": 0}))]),
        case(p, "stale", "301 s old.", cfg, [req(h(NOW - 301, sig(NOW - 301)), body, reject("timestamp_out_of_tolerance"))]),
        case(p, "forged", "Another secret.", cfg, [req(h(t, sig(t, s="guess")), body, reject("signature_mismatch"))]),
        case(p, "wrong-prefix", "v2= instead of v1=.", cfg, [req(h(t, sig(t).replace("v1=", "v2=")), body, reject("signature_mismatch"))]),
        case(p, "typeform-shape", "Typeform's scheme as a custom config: sha256=<base64> over the body.", typeform_cfg,
             [req([["Content-Type", "application/json"], ["Typeform-Signature", "sha256=" + b64(mac("typeform-secret", tf_body))]], tf_body, accept())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Linear
def linear():
    p = "linear"
    secret = "lin_wh_2b7c9d1e3f4a5b6c"
    cfg = {"secrets": [secret], "tolerance_secs": 60}
    ms = (NOW - 5) * 1000
    body = '{"action":"create","type":"Issue","data":{"id":"2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9","title":"Bug"},"url":"https://linear.app/x/issue/X-1","webhookTimestamp":%d,"webhookId":"000042e3-d123-4980-b49f-8e140eef9329"}' % ms
    sig = hexmac(secret, body)
    h = lambda s, d="d-1": [["Content-Type", "application/json; charset=utf-8"], ["Linear-Delivery", d], ["Linear-Event", "Issue"], ["Linear-Signature", s]]
    stale_body = body.replace(str(ms), str((NOW - 61) * 1000))
    c = [
        case(p, "valid", "Hex HMAC-SHA256 of the body; webhookTimestamp 5 s old.", cfg,
             [req(h(sig), body, accept({"id": "d-1", "event_type": "Issue.create", "timestamp": NOW - 5, "matched_key": 0}))]),
        case(p, "stale-webhook-timestamp", "Authentic, but the signed webhookTimestamp is 61 s old.", cfg,
             [req(h(hexmac(secret, stale_body)), stale_body, reject("timestamp_out_of_tolerance"))]),
        case(p, "forged", "Another secret.", cfg, [req(h(hexmac("guess", body)), body, reject("signature_mismatch"))]),
        case(p, "not-hex", "Signature not hex.", cfg, [req(h("x" + sig[1:]), body, reject("malformed_header"))]),
        case(p, "missing", "No Linear-Signature.", cfg, [req(h(sig)[:3], body, reject("missing_header"))]),
        case(p, "no-timestamp", "Authentic body without webhookTimestamp.", cfg,
             [req(h(hexmac(secret, '{"type":"Issue"}')), '{"type":"Issue"}', reject("malformed_body"))]),
        case(p, "rotation", "Two secrets; the second signed.", {"secrets": ["lin_wh_new", secret], "tolerance_secs": 60},
             [req(h(sig), body, accept({"matched_key": 1}))]),
        case(p, "redelivery", "The same body with a new unsigned delivery id.", cfg,
             [req(h(sig), body, accept()), req(h(sig, "d-2"), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Square
def square():
    p = "square"
    key = "sq0wss-4VgDcYQ9l1yzJ3LcmHtI7w"
    url = "https://hooks.example.com/square"
    cfg = {"secrets": [key], "notification_url": url}
    body = '{"merchant_id":"6SSW7HV8K2ST5","type":"payment.updated","event_id":"13b867cf-db3d-4b1c-90b6-2f32a9d78124","created_at":"2026-11-22T09:59:58.000Z","data":{"type":"payment","id":"KkAkhdMsgzn59SM8A89WgKwekxLZY","object":{}}}'
    sig = b64(mac(key, url + body))
    h = lambda s: [["Content-Type", "application/json"], ["x-square-hmacsha256-signature", s]]
    # square/square-nodejs-sdk test/utilities/webhooksHelper.test.ts: key, notification URL,
    # body and signature of Square's test notification, and two bodies around escaping.
    sdk_body = '{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}'
    sdk_key = "Ibxx_5AKakO-3qeNVR61Dw"
    sdk_url = "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"
    sdk_sig = "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4="
    assert b64(mac(sdk_key, sdk_url + sdk_body)) == sdk_sig
    sdk_cfg = {"secrets": [sdk_key], "notification_url": sdk_url}
    plain_body, plain_sig = '{"data":{"type":"webhooks","id":"fake_id"}}', "W3FlCNk5IA3ZQ2LHTWoajvzfaDu/OwY2tNHIHC3IUOA="
    escaped_body, escaped_sig = '{"data":{"type":"webhooks","id":">id<"}}', "Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U="
    chars_cfg = {"secrets": ["signature-key"], "notification_url": "https://webhook.site/webhooks"}
    assert b64(mac("signature-key", "https://webhook.site/webhooks" + plain_body)) == plain_sig
    assert b64(mac("signature-key", "https://webhook.site/webhooks" + escaped_body)) == escaped_sig
    src = "square/square-nodejs-sdk test/utilities/webhooksHelper.test.ts"
    c = [
        case(p, "valid", "Base64 HMAC-SHA256 over notification URL + body.", cfg,
             [req(h(sig), body, accept({"id": "13b867cf-db3d-4b1c-90b6-2f32a9d78124", "event_type": "payment.updated", "timestamp": NOW - 2, "matched_key": 0}), uri="/square")]),
        case(p, "published-sdk-example", f"Square's SDK test vector ({src}): key Ibxx_5AKakO-3qeNVR61Dw, the webhook.site notification URL, the test notification, GF4YkrJg…2N4=.", sdk_cfg,
             [req(h(sdk_sig), sdk_body, accept({"id": "ac3ac95b-f97d-458c-a6e6-18981597e05f", "event_type": "webhooks.test_notification", "matched_key": 0}), uri="/square")]),
        case(p, "published-sdk-url-mismatch", f"The SDK vector checked against the SDK's mismatching notification URL ({src}).", {"secrets": [sdk_key], "notification_url": "https://webhook.site/79a4f3a-dcfa-49ee-bac5-9d0edad886b9"},
             [req(h(sdk_sig), sdk_body, reject("signature_mismatch"), uri="/square")]),
        case(p, "published-sdk-wrong-key", f"The SDK vector under the SDK's wrong key MCmhFRxGX82xMwg5FsaoQA ({src}).", {"secrets": ["MCmhFRxGX82xMwg5FsaoQA"], "notification_url": sdk_url},
             [req(h(sdk_sig), sdk_body, reject("signature_mismatch"), uri="/square")]),
        case(p, "published-sdk-wrong-signature", f"The SDK's invalid signature header 1z2n3DEJJiUPKcPzQo1ftvbxGdw= (a SHA-1-sized MAC) ({src}).", sdk_cfg,
             [req(h("1z2n3DEJJiUPKcPzQo1ftvbxGdw="), sdk_body, reject("signature_mismatch"), uri="/square")]),
        case(p, "published-sdk-body-changed", f"The SDK's body with created_at moved a month, and the same body pretty-printed ({src}).", sdk_cfg,
             [req(h(sdk_sig), sdk_body.replace("2022-07-13", "2022-06-13"), reject("signature_mismatch"), uri="/square"),
              req(h(sdk_sig), json.dumps(json.loads(sdk_body), indent=4), reject("signature_mismatch"), uri="/square")]),
        case(p, "published-sdk-special-characters", f"The SDK's bodies without event_id, one with > and < kept raw ({src}); de-duplicated on the body's SHA-256.", chars_cfg,
             [req(h(plain_sig), plain_body, accept({"id": None, "matched_key": 0}), uri="/square"),
              req(h(escaped_sig), escaped_body, accept({"id": None}), uri="/square"),
              req(h(escaped_sig), escaped_body, duplicate(), uri="/square")]),
        case(p, "other-notification-url", "Signed for another notification URL.", cfg,
             [req(h(b64(mac(key, "https://hooks.example.com/other" + body))), body, reject("signature_mismatch"), uri="/square")]),
        case(p, "body-only-mac", "A MAC over the body alone (URL not bound).", cfg,
             [req(h(b64(mac(key, body))), body, reject("signature_mismatch"), uri="/square")]),
        case(p, "missing", "No signature header.", cfg, [req([["Content-Type", "application/json"]], body, reject("missing_header"), uri="/square")]),
        case(p, "not-base64", "Signature not base64.", cfg, [req(h("%%" + sig[2:]), body, reject("malformed_header"), uri="/square")]),
        case(p, "rotation", "Two signature keys; the second signed.", {"secrets": ["sq0wss-new", key], "notification_url": url},
             [req(h(sig), body, accept({"matched_key": 1}), uri="/square")]),
        case(p, "retry-is-duplicate", "Square retries with the same event_id.", cfg,
             [req(h(sig), body, accept(), uri="/square"), req(h(sig), body, duplicate(), uri="/square")]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Mailgun
def mailgun():
    p = "mailgun"
    key = "key-mailgun-signing-7c3b2a1d"
    cfg = {"secrets": [key], "tolerance_secs": 300}
    def body(ts, token, sig=None, data='{"event":"delivered","id":"CPgfbmQMTCKtHW6uIWtuVe","timestamp":1795341598.1}'):
        sig = sig if sig is not None else hexmac(key, f"{ts}{token}")
        return '{"signature":{"timestamp":"%s","token":"%s","signature":"%s"},"event-data":%s}' % (ts, token, sig, data)
    tok = "a8ce0edb2dd8301dce3f2e1b4c9d4a9b2d4a8ea16b6b0e2e2b"
    t = NOW - 2
    ct = [["Content-Type", "application/json"]]
    # mailgun/mailgun-php tests/Api/WebhookTest.php (verifyWebhookSignature good and bad)
    src = "mailgun/mailgun-php tests/Api/WebhookTest.php"
    sdk_key, sdk_ts = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0", 1403645220
    sdk_token = "5egbgr1vjgqxtrnp65xfznchgdccwh5d6i09vijqi3whgowmn6"
    sdk_sig = "9cfc5c41582e51246e73c88d34db3af0a3a2692a76fbab81492842f000256d33"
    assert hexmac(sdk_key, f"{sdk_ts}{sdk_token}") == sdk_sig
    sdk_cfg = {"secrets": [sdk_key], "tolerance_secs": 300}
    c = [
        case(p, "valid", "Signature object in the body; HMAC over timestamp+token.", cfg,
             [req(ct, body(t, tok), accept({"id": "CPgfbmQMTCKtHW6uIWtuVe", "event_type": "delivered", "timestamp": t, "matched_key": 0}))]),
        case(p, "published-sdk-example", f"mailgun-php's test vector ({src}): key key-3ax6xnj…eol0, timestamp 1403645220, its token and signature 9cfc5c41…6d33, in a JSON delivery.", sdk_cfg,
             [req(ct, body(sdk_ts, sdk_token, sdk_sig), accept({"timestamp": sdk_ts, "matched_key": 0}))], now=sdk_ts + 2),
        case(p, "published-sdk-bad-token", f"mailgun-php's bad case: the same signature with another token ({src}).", sdk_cfg,
             [req(ct, body(sdk_ts, "owyldpe6nxhmrn78epljl6bj0orrki1u3d2v5e6cnlmmuox8jr", sdk_sig), reject("signature_mismatch"))], now=sdk_ts + 2),
        case(p, "forged", "Signed with another key.", cfg, [req(ct, body(t, tok, hexmac("guess", f"{t}{tok}")), reject("signature_mismatch"))]),
        case(p, "stale", "Timestamp 301 s old.", cfg, [req(ct, body(NOW - 301, tok), reject("timestamp_out_of_tolerance"))]),
        case(p, "no-signature", "JSON without a signature object.", cfg, [req(ct, '{"event-data":{}}', reject("malformed_body"))]),
        case(p, "signature-not-hex", "signature.signature is not hex.", cfg, [req(ct, body(t, tok, "zz" * 32), reject("malformed_body"))]),
        case(p, "rotation", "Two signing keys; the second signed.", {"secrets": ["key-new", key], "tolerance_secs": 300},
             [req(ct, body(t, tok), accept({"matched_key": 1}))]),
        case(p, "token-reuse", "A captured token reused with other event data: duplicate on the token.", cfg,
             [req(ct, body(t, tok), accept()), req(ct, body(t, tok, data='{"event":"failed","id":"forged"}'), duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Paddle
def paddle():
    p = "paddle"
    secret = "pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI"
    cfg = {"secrets": [secret], "tolerance_secs": 5}
    body = '{"event_id":"evt_01h8bzakzx3hm2fmen703n5q45","event_type":"transaction.completed","occurred_at":"2026-11-22T09:59:58.000Z","notification_id":"ntf_01h8bzam1z32agrxjwhjgqk8w6","data":{}}'
    def sig(ts, s=secret):
        return f"ts={ts};h1={hexmac(s, f'{ts}:{body}')}"
    h = lambda v: [["Content-Type", "application/json"], ["Paddle-Signature", v]]
    t = NOW - 2
    # PaddleHQ/paddle-node-sdk src/__tests__/notifications/webhooks-validator.test.ts
    src = "PaddleHQ/paddle-node-sdk src/__tests__/notifications/webhooks-validator.test.ts"
    sdk_cfg = {"secrets": ["VALID_SECRET"], "tolerance_secs": 5}
    sdk_body, sdk_ts = '{"data": ["1", "2"]}', 1698796800
    sdk_header = "ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9"
    assert "ts=%d;h1=%s" % (sdk_ts, hexmac("VALID_SECRET", f"{sdk_ts}:{sdk_body}")) == sdk_header
    multi_body = '{"data": "value"}'
    multi_hash = "28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261"
    assert hexmac("VALID_SECRET", f"{sdk_ts}:{multi_body}") == multi_hash
    c = [
        case(p, "valid", "ts=..;h1=.. over ts:body, 2 s old.", cfg,
             [req(h(sig(t)), body, accept({"id": "evt_01h8bzakzx3hm2fmen703n5q45", "event_type": "transaction.completed", "timestamp": t, "matched_key": 0}))]),
        case(p, "published-sdk-example", f"Paddle's SDK test vector ({src}): secret VALID_SECRET, ts 1698796800, body {{\"data\": [\"1\", \"2\"]}}, h1=a3004287…43f9, judged 5 s later (the SDK's bound, accepted).", sdk_cfg,
             [req(h(sdk_header), sdk_body, accept({"id": None, "timestamp": sdk_ts, "matched_key": 0}))], now=sdk_ts + 5),
        case(p, "published-sdk-6s", f"The SDK vector 6 s later: the SDK rejects it, so do we ({src}).", sdk_cfg,
             [req(h(sdk_header), sdk_body, reject("timestamp_out_of_tolerance"))], now=sdk_ts + 6),
        case(p, "published-sdk-wrong-secret", f"The SDK vector under INVALID_VALID_SECRET ({src}).", {"secrets": ["INVALID_VALID_SECRET"], "tolerance_secs": 5},
             [req(h(sdk_header), sdk_body, reject("signature_mismatch"))], now=sdk_ts),
        case(p, "published-sdk-more-spaces", f"The SDK vector with the body re-spaced ({src}).", sdk_cfg,
             [req(h(sdk_header), '{ "data": [ "1", "2" ]}', reject("signature_mismatch"))], now=sdk_ts),
        case(p, "published-sdk-multiple-hashes", f"The SDK's header with two h1 and an h2=RANDOM_HASH entry (ignored) ({src}).", sdk_cfg,
             [req(h(f"ts={sdk_ts};h1={multi_hash};h1={multi_hash};h2=RANDOM_HASH"), multi_body, accept())], now=sdk_ts),
        case(p, "published-sdk-old-ts", f"The SDK's h1 under ts=9876 ({src}).", sdk_cfg,
             [req(h(sdk_header.replace("1698796800", "9876")), sdk_body, reject("timestamp_out_of_tolerance"))], now=sdk_ts),
        case(p, "stale-6s", "6 s old with Paddle's 5 s tolerance.", cfg, [req(h(sig(NOW - 6)), body, reject("timestamp_out_of_tolerance"))]),
        case(p, "forged", "Another secret.", cfg, [req(h(sig(t, "guess")), body, reject("signature_mismatch"))]),
        case(p, "comma-separated", "Stripe's comma separator instead of Paddle's semicolon.", cfg,
             [req(h(sig(t).replace(";", ",")), body, reject("malformed_header"))]),
        case(p, "rotation-two-h1", "Two h1 during a secret rotation, the valid one last.", {"secrets": ["pdl_ntfset_new", secret], "tolerance_secs": 5},
             [req(h(f"ts={t};h1={'0' * 64};" + sig(t).split(";")[1]), body, accept({"matched_key": 1}))]),
        case(p, "retry-is-duplicate", "The same event_id re-signed a second later.", cfg,
             [req(h(sig(t)), body, accept()), req(h(sig(t + 1)), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Typeform
def typeform():
    p = "typeform"
    secret = "typeform-webhook-secret-81d2"
    cfg = {"secrets": [secret]}
    body = '{"event_id":"01GRZ2DQ1ND81Z3K5M30MMA6Z0","event_type":"form_response","form_response":{"form_id":"lT4Z3j","answers":[]}}'
    sig = "sha256=" + b64(mac(secret, body))
    h = lambda s: [["Content-Type", "application/json"], ["Typeform-Signature", s]]
    c = [
        case(p, "valid", "sha256=<base64> over the body.", cfg,
             [req(h(sig), body, accept({"id": "01GRZ2DQ1ND81Z3K5M30MMA6Z0", "event_type": "form_response", "matched_key": 0}))]),
        case(p, "forged", "Another secret.", cfg, [req(h("sha256=" + b64(mac("guess", body))), body, reject("signature_mismatch"))]),
        case(p, "no-prefix", "The MAC without sha256=.", cfg, [req(h(sig[7:]), body, reject("signature_mismatch"))]),
        case(p, "missing", "No Typeform-Signature.", cfg, [req(h(sig)[:1], body, reject("missing_header"))]),
        case(p, "rotation", "Two secrets; the second signed.", {"secrets": ["tf-new", secret]}, [req(h(sig), body, accept({"matched_key": 1}))]),
        case(p, "redelivery", "Redelivered event_id.", cfg, [req(h(sig), body, accept()), req(h(sig), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Calendly
def calendly():
    p = "calendly"
    secret = "calendly-signing-key-5f0e"
    cfg = {"secrets": [secret], "tolerance_secs": 180}
    body = '{"created_at":"2026-11-22T09:59:50.000000Z","created_by":"https://api.calendly.com/users/AAAAAAAAAAAAAAAA","event":"invitee.created","payload":{"email":"a@example.com"}}'
    def sig(ts, s=secret):
        return f"t={ts},v1={hexmac(s, f'{ts}.{body}')}"
    h = lambda v: [["Content-Type", "application/json"], ["Calendly-Webhook-Signature", v]]
    t = NOW - 10
    c = [
        case(p, "valid", "t=..,v1=.. over t.body.", cfg, [req(h(sig(t)), body, accept({"event_type": "invitee.created", "timestamp": t, "matched_key": 0}))]),
        case(p, "stale", "181 s old (Calendly's example window is 3 minutes).", cfg, [req(h(sig(NOW - 181)), body, reject("timestamp_out_of_tolerance"))]),
        case(p, "forged", "Another key.", cfg, [req(h(sig(t, "guess")), body, reject("signature_mismatch"))]),
        case(p, "no-t", "Only v1.", cfg, [req(h(sig(t).split(",")[1]), body, reject("malformed_header"))]),
        case(p, "rotation", "Two keys; the second signed.", {"secrets": ["cal-new", secret], "tolerance_secs": 180}, [req(h(sig(t)), body, accept({"matched_key": 1}))]),
        case(p, "redelivery", "The same body re-signed.", cfg, [req(h(sig(t)), body, accept()), req(h(sig(t + 1)), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Intercom
def intercom():
    p = "intercom"
    secret = "intercom-client-secret-2f6a"
    cfg = {"secrets": [secret]}
    body = '{"type":"notification_event","app_id":"a86dr8yl","data":{"type":"notification_event_data","item":{}},"id":"notif_ccd8a4d0-f965-11e3-a367-c779cae3e1b3","topic":"conversation.user.created","created_at":1795341590}'
    sig = "sha1=" + hmac.new(secret.encode(), body.encode(), hashlib.sha1).hexdigest()
    h = lambda s: [["Content-Type", "application/json"], ["X-Hub-Signature", s]]
    c = [
        case(p, "valid", "sha1=<hex HMAC-SHA1> over the body.", cfg,
             [req(h(sig), body, accept({"id": "notif_ccd8a4d0-f965-11e3-a367-c779cae3e1b3", "event_type": "conversation.user.created", "timestamp": 1795341590, "matched_key": 0}))]),
        case(p, "sha256-mac", "An HMAC-SHA256 under the sha1= label.", cfg, [req(h("sha1=" + hexmac(secret, body)), body, reject("signature_mismatch"))]),
        case(p, "forged", "Another secret.", cfg, [req(h("sha1=" + hmac.new(b"guess", body.encode(), hashlib.sha1).hexdigest()), body, reject("signature_mismatch"))]),
        case(p, "missing", "No X-Hub-Signature.", cfg, [req(h(sig)[:1], body, reject("missing_header"))]),
        case(p, "rotation", "Two secrets; the second signed.", {"secrets": ["ic-new", secret]}, [req(h(sig), body, accept({"matched_key": 1}))]),
        case(p, "redelivery", "Redelivered notification id.", cfg, [req(h(sig), body, accept()), req(h(sig), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Mux
def mux():
    p = "mux"
    secret = "mux-webhook-signing-secret-0a9b"
    cfg = {"secrets": [secret], "tolerance_secs": 300}
    body = '{"type":"video.asset.ready","object":{"type":"asset","id":"0201p02fGKPE7MrbC269XRD7LpcHhrmbu0002"},"id":"3a56ac3d-33da-4366-855b-f592d898409d","environment":{"name":"Production","id":"j0863n"},"data":{},"created_at":"2026-11-22T09:59:59.000000Z"}'
    def sig(ts, s=secret):
        return f"t={ts},v1={hexmac(s, f'{ts}.{body}')}"
    h = lambda v: [["Content-Type", "application/json"], ["Mux-Signature", v]]
    t = NOW - 1
    # muxinc/mux-node-sdk tests/api-resources/webhooks.test.ts
    src = "muxinc/mux-node-sdk tests/api-resources/webhooks.test.ts"
    sdk_cfg = {"secrets": ["SuperSecret123"], "tolerance_secs": 300}
    sdk_t, sdk_body = 1565125718, '{"test":"body"}'
    sdk_hash = "854ece4c22acef7c66b57d4e504153bc512595e8e9c772ece2a68150548c19a7"
    assert hexmac("SuperSecret123", f"{sdk_t}.{sdk_body}") == sdk_hash
    times_body = '{"test":{"nested":{"nanos":718234, "seconds":1691711005}}}'
    times_hash = "bd315c24bce1c2b8ad325696f26530c8ef7d7d830afb7c1381903705d04607be"
    assert hexmac("SuperSecret123", f"{sdk_t}.{times_body}") == times_hash
    c = [
        case(p, "valid", "t=..,v1=.. over t.body.", cfg,
             [req(h(sig(t)), body, accept({"id": "3a56ac3d-33da-4366-855b-f592d898409d", "event_type": "video.asset.ready", "timestamp": t, "matched_key": 0}))]),
        case(p, "published-sdk-example", f"Mux's SDK test vector ({src}): secret SuperSecret123, t=1565125718, body {{\"test\":\"body\"}}, v1=854ece4c…19a7; and its second body (nested times); the first re-signed a second later is a duplicate (no id: de-duplicated on the body's SHA-256).", sdk_cfg,
             [req(h(f"t={sdk_t},v1={sdk_hash}"), sdk_body, accept({"id": None, "timestamp": sdk_t, "matched_key": 0})),
              req(h(f"t={sdk_t},v1={times_hash}"), times_body, accept()),
              req(h(f"t={sdk_t + 1},v1={hexmac('SuperSecret123', f'{sdk_t + 1}.{sdk_body}')}"), sdk_body, duplicate())], now=sdk_t),
        case(p, "published-sdk-6-minutes", f"The SDK vector 6 minutes later: too old for the SDK's 5 minutes and ours ({src}).", sdk_cfg,
             [req(h(f"t={sdk_t},v1={sdk_hash}"), sdk_body, reject("timestamp_out_of_tolerance"))], now=sdk_t + 360),
        case(p, "published-sdk-v2-ignored", f"The SDK's t=..,v2=<hash>,v1=<hash> passes; v2 alone does not ({src}).", sdk_cfg,
             [req(h(f"t={sdk_t},v2={sdk_hash},v1={sdk_hash}"), sdk_body, accept()),
              req(h(f"t={sdk_t},v2={sdk_hash}"), sdk_body.replace("body", "bodY"), reject("signature_mismatch"))], now=sdk_t),
        case(p, "published-sdk-non-hex-entry", f"The SDK accepts t=..,v1=invalid-sig,v1=<hash>; we refuse any v1 that is not hex (FORMAT policy: an undecodable signature is malformed_header) ({src}).", sdk_cfg,
             [req(h(f"t={sdk_t},v1=invalid-sig,v1={sdk_hash}"), sdk_body, reject("malformed_header"))], now=sdk_t),
        case(p, "stale", "301 s old.", cfg, [req(h(sig(NOW - 301)), body, reject("timestamp_out_of_tolerance"))]),
        case(p, "forged", "Another secret.", cfg, [req(h(sig(t, "guess")), body, reject("signature_mismatch"))]),
        case(p, "v1-not-hex", "v1 value is not hex.", cfg, [req(h(f"t={t},v1=nothex"), body, reject("malformed_header"))]),
        case(p, "rotation", "Two secrets; the second signed.", {"secrets": ["mux-new", secret], "tolerance_secs": 300}, [req(h(sig(t)), body, accept({"matched_key": 1}))]),
        case(p, "retry-is-duplicate", "The same event id re-signed.", cfg, [req(h(sig(t)), body, accept()), req(h(sig(t + 30)), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Sentry
def sentry():
    p = "sentry"
    secret = "sentry-client-secret-6c1d"
    cfg = {"secrets": [secret]}
    body = '{"action":"created","installation":{"uuid":"7a485448-a9e2-4c85-8a3c-4f44175783c9"},"data":{"issue":{"id":"1170820242"}},"actor":{"type":"application","id":"sentry","name":"Sentry"}}'
    sig = hexmac(secret, body)
    h = lambda s, rid="r-1": [["Content-Type", "application/json"], ["Request-ID", rid], ["Sentry-Hook-Resource", "issue"], ["Sentry-Hook-Timestamp", str(NOW)], ["Sentry-Hook-Signature", s]]
    c = [
        case(p, "valid", "Hex HMAC-SHA256 of the body.", cfg, [req(h(sig), body, accept({"id": "r-1", "event_type": "issue", "matched_key": 0}))]),
        case(p, "forged", "Another secret.", cfg, [req(h(hexmac("guess", body)), body, reject("signature_mismatch"))]),
        case(p, "body-changed", "Body re-serialised with spaces.", cfg, [req(h(sig), body.replace(",", ", "), reject("signature_mismatch"))]),
        case(p, "missing", "No Sentry-Hook-Signature.", cfg, [req(h(sig)[:4], body, reject("missing_header"))]),
        case(p, "rotation", "Two secrets; the second signed.", {"secrets": ["sentry-new", secret]}, [req(h(sig), body, accept({"matched_key": 1}))]),
        case(p, "replay-new-request-id", "Replayed body with a new unsigned Request-ID.", cfg, [req(h(sig), body, accept()), req(h(sig, "r-2"), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- HubSpot v3
def hubspot():
    p = "hubspot"
    secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
    base = "https://hooks.example.com"
    cfg = {"secrets": [secret], "public_base": base, "tolerance_secs": 300}
    body = '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1795341590000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]'
    ms = (NOW - 3) * 1000
    path = "/hubspot?portal=62515&from=a%3Ab"
    def sig(path, ms, s=secret, method="POST"):
        uri = (base + path).replace("%3A", ":")
        return b64(mac(s, f"{method}{uri}{body}{ms}"))
    h = lambda s, t=ms: [["Content-Type", "application/json"], ["X-HubSpot-Request-Timestamp", str(t)], ["X-HubSpot-Signature-v3", s]]
    # HubSpot/hubspot-api-python tests/spec/utils/test_signature.py (test_get_signature__v3): the
    # only fixed v3 vector found (the docs and the Node SDK publish v1/v2 values only).
    src = "HubSpot/hubspot-api-python tests/spec/utils/test_signature.py"
    sdk_secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
    sdk_body = "{'example_field':'example_value'}"
    sdk_ms = 15000000
    sdk_sig = "HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw="
    assert b64(mac(sdk_secret, f"POSThttps://www.example.com/webhook_uri{sdk_body}{sdk_ms}")) == sdk_sig
    sdk_cfg = {"secrets": [sdk_secret], "public_base": "https://www.example.com", "tolerance_secs": 300}
    c = [
        case(p, "valid", "Method + public URL (with %3A decoded) + body + millisecond timestamp; the request reached an internal host.", cfg,
             [req(h(sig(path, ms)), body, accept({"timestamp": NOW - 3, "matched_key": 0}), uri=path)]),
        case(p, "published-sdk-example", f"hubspot-api-python's v3 vector ({src}): secret yyyyyyyy-…, POST https://www.example.com/webhook_uri, body {{'example_field':'example_value'}}, timestamp 15000000 ms, HPW73RUt…cQw=; judged 1 s after its (1970) timestamp.", sdk_cfg,
             [req(h(sdk_sig, sdk_ms), sdk_body, accept({"timestamp": sdk_ms // 1000, "matched_key": 0}), uri="/webhook_uri"),
              req(h(sdk_sig, sdk_ms), sdk_body, reject("signature_mismatch"), uri="/webhook_uri?x=1")], now=sdk_ms // 1000 + 1),
        case(p, "published-sdk-example-stale", f"The same vector judged today: its timestamp is far outside HubSpot's 5 minutes ({src}).", sdk_cfg,
             [req(h(sdk_sig, sdk_ms), sdk_body, reject("timestamp_out_of_tolerance"), uri="/webhook_uri")]),
        case(p, "stale", "Timestamp 301 s old.", cfg, [req(h(sig(path, (NOW - 301) * 1000), (NOW - 301) * 1000), body, reject("timestamp_out_of_tolerance"), uri=path)]),
        case(p, "seconds-timestamp", "A timestamp in seconds instead of milliseconds reads as 1970.", cfg,
             [req(h(sig(path, NOW), NOW), body, reject("timestamp_out_of_tolerance"), uri=path)]),
        case(p, "other-path", "Signed for another path.", cfg, [req(h(sig("/other", ms)), body, reject("signature_mismatch"), uri=path)]),
        case(p, "forged", "Another secret.", cfg, [req(h(sig(path, ms, "guess")), body, reject("signature_mismatch"), uri=path)]),
        case(p, "missing-timestamp", "No X-HubSpot-Request-Timestamp.", cfg, [req(h(sig(path, ms))[::2], body, reject("missing_header"), uri=path)]),
        case(p, "rotation", "Two secrets; the second signed.", {"secrets": ["new-secret", secret], "public_base": base}, [req(h(sig(path, ms)), body, accept({"matched_key": 1}), uri=path)]),
        case(p, "replay", "The same signed request twice.", cfg, [req(h(sig(path, ms)), body, accept(), uri=path), req(h(sig(path, ms)), body, duplicate(), uri=path)]),
    ]
    write(p, c)


# ---------------------------------------------------------------- SendGrid
def sendgrid():
    p = "sendgrid"
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives import hashes
    pub = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA=="
    published_sig = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0="
    published_ts = 1588788367
    published_body = '{"category":"example_payload","event":"test_event","message_id":"message_id"}'
    key = ec.derive_private_key(0x1D2C3B4A5968778695A4B3C2D1E0F00112233445566778899AABBCCDDEEFF001, ec.SECP256R1())
    own = b64(key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    other = ec.derive_private_key(0x42, ec.SECP256R1())
    t = NOW - 4
    body = '[{"email":"example@test.com","timestamp":1795341590,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"delivered","category":"cat facts","sg_event_id":"sg_event_id","sg_message_id":"sg_message_id"}]'
    def sig(ts, b=body, k=key):
        return b64(k.sign(f"{ts}{b}".encode(), ec.ECDSA(hashes.SHA256())))
    h = lambda s, ts=t: [["Content-Type", "application/json"], ["X-Twilio-Email-Event-Webhook-Signature", s], ["X-Twilio-Email-Event-Webhook-Timestamp", str(ts)]]
    cfg = {"public_keys": [own], "tolerance_secs": 300}
    c = [
        case(p, "published-example", "SendGrid's published test vector (sendgrid-nodejs eventwebhook tests): key, signature, timestamp 1588788367, payload.",
             {"public_keys": [pub], "tolerance_secs": 300},
             [req(h(published_sig, published_ts), published_body, accept({"timestamp": published_ts, "matched_key": 0}))], now=published_ts + 5),
        case(p, "published-example-tampered", "The published vector with the payload's event changed.", {"public_keys": [pub], "tolerance_secs": 300},
             [req(h(published_sig, published_ts), published_body.replace("test_event", "test_evenT"), reject("signature_mismatch"))], now=published_ts + 5),
        case(p, "published-example-stale", "The published vector judged years later.", {"public_keys": [pub], "tolerance_secs": 300},
             [req(h(published_sig, published_ts), published_body, reject("timestamp_out_of_tolerance"))]),
        case(p, "batch", "A signed batch of events.", cfg, [req(h(sig(t)), body, accept({"timestamp": t}))]),
        case(p, "other-key", "Signed by another key.", cfg, [req(h(sig(t, k=other)), body, reject("signature_mismatch"))]),
        case(p, "timestamp-swapped", "Valid signature, other timestamp header.", cfg, [req(h(sig(t), t + 1), body, reject("signature_mismatch"))]),
        case(p, "not-base64", "Signature not base64.", cfg, [req(h("!!" + sig(t)[2:]), body, reject("malformed_header"))]),
        case(p, "missing-signature", "No signature header.", cfg, [req(h(sig(t))[::2], body, reject("missing_header"))]),
        case(p, "rotation", "Two keys; the second signed.", {"public_keys": [pub, own], "tolerance_secs": 300}, [req(h(sig(t)), body, accept({"matched_key": 1}))]),
        case(p, "replay", "The same batch twice.", cfg, [req(h(sig(t)), body, accept()), req(h(sig(t)), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Zendesk
def zendesk():
    p = "zendesk"
    # Zendesk signs test deliveries (before a webhook exists) with this fixed secret, used as the
    # key as it is (developer.zendesk.com/documentation/webhooks/verifying/); no signature is
    # published with it.
    secret = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
    cfg = {"secrets": [secret], "tolerance_secs": 300}
    body = '{"type":"zen:event-type:ticket.created","account_id":1,"id":"e-1","time":"2026-11-22T09:59:58Z","detail":{},"event":{}}'
    ts = rfc3339(NOW - 2)
    sig = lambda t=ts, s=secret, b=body: b64(mac(s, t + b))
    h = lambda s, t=ts: [["Content-Type", "application/json"], ["X-Zendesk-Webhook-Id", "w-1"], ["X-Zendesk-Webhook-Signature-Timestamp", t], ["X-Zendesk-Webhook-Signature", s]]
    c = [
        case(p, "valid", "base64(HMAC(timestamp + body)) under Zendesk's documented test-delivery secret, RFC 3339 timestamp 2 s old.", cfg,
             [req(h(sig()), body, accept({"id": "w-1", "event_type": "zen:event-type:ticket.created", "timestamp": NOW - 2, "matched_key": 0}))]),
        case(p, "stale", "Timestamp 301 s old.", cfg, [req(h(sig(rfc3339(NOW - 301)), rfc3339(NOW - 301)), body, reject("timestamp_out_of_tolerance"))]),
        case(p, "timestamp-swapped", "Valid MAC for another timestamp text.", cfg, [req(h(sig(), rfc3339(NOW - 1)), body, reject("signature_mismatch"))]),
        case(p, "timestamp-garbage", "Timestamp neither RFC 3339 nor Unix seconds.", cfg, [req(h(sig("yesterday"), "yesterday"), body, reject("malformed_header"))]),
        case(p, "forged", "Another secret.", cfg, [req(h(sig(s="guess")), body, reject("signature_mismatch"))]),
        case(p, "missing-timestamp", "No timestamp header.", cfg, [req([h(sig())[0], h(sig())[3]], body, reject("missing_header"))]),
        case(p, "rotation", "Two secrets; the second signed.", {"secrets": ["new", secret], "tolerance_secs": 300}, [req(h(sig()), body, accept({"matched_key": 1}))]),
        case(p, "replay", "The same request twice.", cfg, [req(h(sig()), body, accept()), req(h(sig()), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Xero
def xero():
    p = "xero"
    key = "xero-webhooks-key-2AbCdEfGhIjK"
    cfg = {"secrets": [key]}
    itr = '{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"FRIWEANYNSHUKKQFTMYQ"}'
    body = '{"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/Invoices/1","resourceId":"1","eventDateUtc":"2026-11-22T09:59:58.000","eventType":"UPDATE","eventCategory":"INVOICE","tenantId":"t-1","tenantType":"ORGANISATION"}],"lastEventSequence":1,"firstEventSequence":1,"entropy":"ZWJJYWRQYTVOQUNBUUVG"}'
    h = lambda s: [["Content-Type", "application/json"], ["x-xero-signature", s]]
    c = [
        case(p, "intent-to-receive-good", "Xero's intent-to-receive: a correctly signed empty batch gets 200.", cfg, [req(h(b64(mac(key, itr))), itr, accept({"matched_key": 0}))]),
        case(p, "intent-to-receive-bad", "Xero's intent-to-receive: an incorrectly signed one gets 401.", cfg, [req(h(b64(mac("not-the-key", itr))), itr, reject("signature_mismatch"))]),
        case(p, "event", "A signed event batch.", cfg, [req(h(b64(mac(key, body))), body, accept())]),
        case(p, "hex-signature", "The right MAC in hex (not base64 of 32 bytes).", cfg, [req(h(mac(key, body).hex()), body, reject("signature_mismatch"))]),
        case(p, "missing", "No x-xero-signature.", cfg, [req([["Content-Type", "application/json"]], body, reject("missing_header"))]),
        case(p, "rotation", "Two keys; the second signed.", {"secrets": ["new", key]}, [req(h(b64(mac(key, body))), body, accept({"matched_key": 1}))]),
        case(p, "replay", "The same batch twice.", cfg, [req(h(b64(mac(key, body))), body, accept()), req(h(b64(mac(key, body))), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Dropbox
def dropbox():
    p = "dropbox"
    secret = "dbx-app-secret-q8w7e6r5"
    cfg = {"secrets": [secret]}
    body = '{"list_folder":{"accounts":["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]},"delta":{"users":[12345678]}}'
    h = lambda s: [["Content-Type", "application/json"], ["X-Dropbox-Signature", s]]
    c = [
        case(p, "challenge", "The verification GET is answered with the challenge.", cfg,
             [req([], "", respond("6QJQFI4mEJHzhdY"), uri="/hook?challenge=6QJQFI4mEJHzhdY", method="GET")]),
        case(p, "challenge-markup", "A challenge with markup is not echoed.", cfg,
             [req([], "", reject("method_not_allowed"), uri="/hook?challenge=%3Cscript%3E", method="GET")]),
        case(p, "get-without-challenge", "A GET that is not a challenge.", cfg, [req([], "", reject("method_not_allowed"), method="GET")]),
        case(p, "notification", "A signed notification.", cfg, [req(h(hexmac(secret, body)), body, accept({"matched_key": 0}))]),
        case(p, "forged", "Another secret.", cfg, [req(h(hexmac("guess", body)), body, reject("signature_mismatch"))]),
        case(p, "missing", "No signature.", cfg, [req([["Content-Type", "application/json"]], body, reject("missing_header"))]),
        case(p, "rotation", "Two app secrets; the second signed.", {"secrets": ["new", secret]}, [req(h(hexmac(secret, body)), body, accept({"matched_key": 1}))]),
        case(p, "replay", "The same notification twice.", cfg, [req(h(hexmac(secret, body)), body, accept()), req(h(hexmac(secret, body)), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- PagerDuty
def pagerduty():
    p = "pagerduty"
    secret = "pd-webhook-secret-1q2w3e"
    cfg = {"secrets": [secret]}
    body = '{"event":{"id":"01DEN1HNLBC1VITYGN5O52G4K0","event_type":"incident.triggered","resource_type":"incident","occurred_at":"2026-11-22T09:59:57.000Z","agent":null,"client":null,"data":{"id":"PGR0VU2","type":"incident"}}}'
    sig = "v1=" + hexmac(secret, body)
    h = lambda s: [["Content-Type", "application/json"], ["X-PagerDuty-Signature", s]]
    # PagerDuty/go-pagerduty webhookv3/webhookv3_test.go
    src = "PagerDuty/go-pagerduty webhookv3/webhookv3_test.go"
    sdk_secret = "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK"
    sdk_body = '{"event":{"id":"01BWDWL3NYY7LUFPZCC28QUCMK","event_type":"incident.priority_updated","resource_type":"incident","occurred_at":"2021-04-26T17:36:27.458Z","agent":{"html_url":"https://acme.pagerduty.com/users/PLH1HKV","id":"PLH1HKV","self":"https://api.pagerduty.com/users/PLH1HKV","summary":"Tenex Engineer","type":"user_reference"},"client":null,"data":{"id":"PGR0VU2","type":"incident","self":"https://api.pagerduty.com/incidents/PGR0VU2","html_url":"https://acme.pagerduty.com/incidents/PGR0VU2","number":2,"status":"triggered","title":"A little bump in the road","service":{"html_url":"https://acme.pagerduty.com/services/PF9KMXH","id":"PF9KMXH","self":"https://api.pagerduty.com/services/PF9KMXH","summary":"API Service","type":"service_reference"},"assignees":[{"html_url":"https://acme.pagerduty.com/users/PTUXL6G","id":"PTUXL6G","self":"https://api.pagerduty.com/users/PTUXL6G","summary":"User 123","type":"user_reference"}],"escalation_policy":{"html_url":"https://acme.pagerduty.com/escalation_policies/PUS0KTE","id":"PUS0KTE","self":"https://api.pagerduty.com/escalation_policies/PUS0KTE","summary":"Default","type":"escalation_policy_reference"},"teams":[{"html_url":"https://acme.pagerduty.com/teams/PFCVPS0","id":"PFCVPS0","self":"https://api.pagerduty.com/teams/PFCVPS0","summary":"Engineering","type":"team_reference"}],"priority":{"html_url":"https://acme.pagerduty.com/account/incident_priorities","id":"PSO75BM","self":"https://api.pagerduty.com/priorities/PSO75BM","summary":"P1","type":"priority_reference"},"urgency":"high","conference_bridge":{"conference_number":1000,"conference_url":"https://example.com"},"resolve_reason":null}}}'
    sdk_sig = "v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd"
    assert "v1=" + hexmac(sdk_secret, sdk_body) == sdk_sig
    c = [
        case(p, "valid", "v1=<hex> over the body.", cfg, [req(h(sig), body, accept({"id": "01DEN1HNLBC1VITYGN5O52G4K0", "event_type": "incident.triggered", "timestamp": NOW - 3, "matched_key": 0}))]),
        case(p, "published-sdk-example", f"go-pagerduty's test vector ({src}): its secret, incident.priority_updated body and v1=0c0b9495…76cd.", {"secrets": [sdk_secret]},
             [req(h(sdk_sig), sdk_body, accept({"id": "01BWDWL3NYY7LUFPZCC28QUCMK", "event_type": "incident.priority_updated", "matched_key": 0}))]),
        case(p, "published-sdk-mismatch", f"go-pagerduty's mismatching signature v1=7020c8a7…caf5 for the same body ({src}).", {"secrets": [sdk_secret]},
             [req(h("v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5"), sdk_body, reject("signature_mismatch"))]),
        case(p, "rotation-two-v1", "Two signatures during a secret rotation, the valid one last.", cfg, [req(h("v1=" + hexmac("old", body) + "," + sig), body, accept())]),
        case(p, "forged", "Another secret.", cfg, [req(h("v1=" + hexmac("guess", body)), body, reject("signature_mismatch"))]),
        case(p, "only-v2", "The valid MAC under another version label.", cfg, [req(h(sig.replace("v1=", "v2=")), body, reject("signature_mismatch"))]),
        case(p, "not-hex", "v1 value not hex.", cfg, [req(h("v1=zz"), body, reject("malformed_header"))]),
        case(p, "missing", "No signature.", cfg, [req([["Content-Type", "application/json"]], body, reject("missing_header"))]),
        case(p, "retry-is-duplicate", "The same event id twice.", cfg, [req(h(sig), body, accept()), req(h(sig), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Telnyx
def telnyx():
    p = "telnyx"
    key = Ed25519PrivateKey.from_private_bytes(bytes([0x17] * 32))
    pub = b64(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    other = Ed25519PrivateKey.from_private_bytes(bytes([0x71] * 32))
    other_pub = b64(other.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    cfg = {"public_keys": [pub], "tolerance_secs": 300}
    body = '{"data":{"event_type":"message.received","id":"b301ed3f-1490-491f-995f-6e64e69674d4","occurred_at":"2026-11-22T09:59:58.000+00:00","payload":{},"record_type":"event"},"meta":{"attempt":1,"delivered_to":"https://hooks.example.com/telnyx"}}'
    t = NOW - 2
    sig = lambda ts=t, k=key, b=body: b64(k.sign(f"{ts}|{b}".encode()))
    h = lambda s, ts=t: [["Content-Type", "application/json"], ["telnyx-signature-ed25519", s], ["telnyx-timestamp", str(ts)]]
    c = [
        case(p, "valid", "Ed25519 over timestamp|body.", cfg, [req(h(sig()), body, accept({"id": "b301ed3f-1490-491f-995f-6e64e69674d4", "event_type": "message.received", "timestamp": t, "matched_key": 0}))]),
        case(p, "no-pipe", "Signed over timestamp+body without the pipe.", cfg, [req(h(b64(key.sign(f"{t}{body}".encode()))), body, reject("signature_mismatch"))]),
        case(p, "stale", "Signed 301 s ago.", cfg, [req(h(sig(NOW - 301), NOW - 301), body, reject("timestamp_out_of_tolerance"))]),
        case(p, "other-key", "Signed by another key.", cfg, [req(h(sig(k=other)), body, reject("signature_mismatch"))]),
        case(p, "hex-signature", "The signature in hex instead of base64.", cfg, [req(h(base64.b64decode(sig()).hex()), body, reject("malformed_header"))]),
        case(p, "missing-timestamp", "No telnyx-timestamp.", cfg, [req(h(sig())[:2], body, reject("missing_header"))]),
        case(p, "rotation", "Two public keys; the second signed.", {"public_keys": [other_pub, pub], "tolerance_secs": 300}, [req(h(sig()), body, accept({"matched_key": 1}))]),
        case(p, "retry-is-duplicate", "Telnyx retries the same data.id.", cfg, [req(h(sig()), body, accept()), req(h(sig(t + 5), t + 5), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- X / Twitter
def twitter():
    p = "twitter"
    secret = "twitter-consumer-secret-1a2b3c4d5e6f"
    cfg = {"secrets": [secret]}
    body = '{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"1796184960413167616","text":"hi"}]}'
    sig = "sha256=" + b64(mac(secret, body))
    crc = "dkd3ZxVoNWVtZjBjM3Q"
    answer = json.dumps({"response_token": "sha256=" + b64(mac(secret, crc))}, separators=(",", ":"))
    h = lambda s: [["Content-Type", "application/json"], ["x-twitter-webhooks-signature", s]]
    c = [
        case(p, "crc", "The CRC GET is answered with sha256=base64(HMAC(consumer secret, crc_token)).", cfg,
             [req([], "", respond(answer), uri="/x?crc_token=" + crc, method="GET")]),
        case(p, "crc-json-token", "A crc_token that is a JSON object (a request for a delivery signature) is refused.", cfg,
             [req([], "", reject("method_not_allowed"), uri="/x?crc_token=%7B%22a%22%3A1%7D", method="GET")]),
        case(p, "delivery", "A signed Account Activity delivery.", cfg, [req(h(sig), body, accept({"event_type": "tweet_create_events", "matched_key": 0}))]),
        case(p, "crc-answer-as-signature", "A CRC answer replayed as a delivery signature over a token-shaped body.", cfg,
             [req(h("sha256=" + b64(mac(secret, crc))), crc, reject("malformed_body"))]),
        case(p, "forged", "Another secret.", cfg, [req(h("sha256=" + b64(mac("guess", body))), body, reject("signature_mismatch"))]),
        case(p, "missing-prefix", "The MAC without sha256=.", cfg, [req(h(sig[7:]), body, reject("signature_mismatch"))]),
        case(p, "rotation", "Two secrets; the second signed.", {"secrets": ["new", secret]}, [req(h(sig), body, accept({"matched_key": 1}))]),
        case(p, "replay", "The same delivery twice.", cfg, [req(h(sig), body, accept()), req(h(sig), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Meta
def meta():
    p = "meta"
    secret = "meta-app-secret-5e6f7a8b9c"
    token = "my-verify-token-42"
    cfg = {"secrets": [secret], "verify_token": token}
    body = '{"object":"page","entry":[{"id":"0","time":1795341598,"changes":[{"field":"feed","value":{"item":"post","verb":"add"}}]}]}'
    sig = "sha256=" + hexmac(secret, body)
    h = lambda s: [["Content-Type", "application/json"], ["X-Hub-Signature-256", s]]
    sub = lambda t, ch="1158201444", mode="subscribe": f"/meta?hub.mode={mode}&hub.verify_token={t}&hub.challenge={ch}"
    c = [
        case(p, "subscription-check", "hub.mode=subscribe with the right verify token: the challenge is echoed.", cfg,
             [req([], "", respond("1158201444"), uri=sub(token), method="GET")]),
        case(p, "subscription-wrong-token", "A wrong verify token is refused.", cfg, [req([], "", reject("signature_mismatch"), uri=sub("guess"), method="GET")]),
        case(p, "subscription-wrong-mode", "hub.mode other than subscribe.", cfg, [req([], "", reject("method_not_allowed"), uri=sub(token, mode="unsubscribe"), method="GET")]),
        case(p, "delivery", "A signed page delivery.", cfg, [req(h(sig), body, accept({"event_type": "page", "matched_key": 0}))]),
        case(p, "legacy-sha1-only", "Only the legacy X-Hub-Signature.", cfg,
             [req([["Content-Type", "application/json"], ["X-Hub-Signature", "sha1=" + hmac.new(secret.encode(), body.encode(), hashlib.sha1).hexdigest()]], body, reject("missing_header"))]),
        case(p, "forged", "Another secret.", cfg, [req(h("sha256=" + hexmac("guess", body)), body, reject("signature_mismatch"))]),
        case(p, "rotation", "Two app secrets; the second signed.", {"secrets": ["new", secret], "verify_token": token}, [req(h(sig), body, accept({"matched_key": 1}))]),
        case(p, "replay", "The same delivery twice.", cfg, [req(h(sig), body, accept()), req(h(sig), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Bitbucket
def bitbucket():
    p = "bitbucket"
    secret = "bitbucket-webhook-secret-7z"
    cfg = {"secrets": [secret]}
    body = '{"push":{"changes":[{"new":{"name":"main","type":"branch"}}]},"repository":{"full_name":"team/repo","uuid":"{4b3c1f2e-0000-4000-8000-000000000000}"},"actor":{"display_name":"A"}}'
    sig = "sha256=" + hexmac(secret, body)
    h = lambda s, rid="r-1": [["Content-Type", "application/json"], ["X-Event-Key", "repo:push"], ["X-Request-UUID", rid], ["X-Hub-Signature", s]]
    c = [
        case(p, "valid", "sha256=<hex> over the body.", cfg, [req(h(sig), body, accept({"id": "r-1", "event_type": "repo:push", "matched_key": 0}))]),
        case(p, "sha1-label", "The MAC under sha1=.", cfg, [req(h(sig.replace("sha256=", "sha1=")), body, reject("signature_mismatch"))]),
        case(p, "forged", "Another secret.", cfg, [req(h("sha256=" + hexmac("guess", body)), body, reject("signature_mismatch"))]),
        case(p, "missing", "No X-Hub-Signature.", cfg, [req(h(sig)[:3], body, reject("missing_header"))]),
        case(p, "rotation", "Two secrets; the second signed.", {"secrets": ["new", secret]}, [req(h(sig), body, accept({"matched_key": 1}))]),
        case(p, "replay-new-uuid", "Replayed body with a new unsigned X-Request-UUID.", cfg, [req(h(sig), body, accept()), req(h(sig, "r-2"), body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- DocuSign
def docusign():
    p = "docusign"
    k1 = "docusign-connect-key-1-aaaaaaaaaaaa"
    k2 = "docusign-connect-key-2-bbbbbbbbbbbb"
    cfg = {"secrets": [k2]}
    body = '{"event":"envelope-completed","apiVersion":"v2.1","uri":"/restapi/v2.1/accounts/a/envelopes/e","retryCount":0,"configurationId":1,"generatedDateTime":"2026-11-22T09:59:58.0000000Z","data":{"accountId":"a","envelopeId":"e"}}'
    s1 = b64(mac(k1, body)); s2 = b64(mac(k2, body))
    ct = ["Content-Type", "application/json"]
    c = [
        case(p, "second-header-matches", "Two active keys at DocuSign; the receiver trusts the second.", cfg,
             [req([ct, ["X-DocuSign-Signature-1", s1], ["X-DocuSign-Signature-2", s2]], body, accept({"event_type": "envelope-completed", "matched_key": 0}))]),
        case(p, "none-matches", "Signatures under keys the receiver does not trust.", cfg,
             [req([ct, ["X-DocuSign-Signature-1", s1]], body, reject("signature_mismatch"))]),
        case(p, "not-base64", "A signature header that is not base64.", cfg,
             [req([ct, ["X-DocuSign-Signature-1", "%%%"], ["X-DocuSign-Signature-2", s2]], body, reject("malformed_header"))]),
        case(p, "missing", "No signature header.", cfg, [req([ct], body, reject("missing_header"))]),
        case(p, "tampered", "Body changed.", cfg, [req([ct, ["X-DocuSign-Signature-1", s2]], body.replace("completed", "voided"), reject("signature_mismatch"))]),
        case(p, "replay", "The same notification twice.", cfg, [req([ct, ["X-DocuSign-Signature-1", s2]], body, accept()), req([ct, ["X-DocuSign-Signature-1", s2]], body, duplicate())]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Mandrill
def mandrill():
    p = "mandrill"
    key = "mandrill-webhook-key-AbCdEf012345"
    base = "https://hooks.example.com"
    cfg = {"secrets": [key], "public_base": base}
    from urllib.parse import quote
    events = '[{"event":"send","_id":"exampleaaaaaaaaaaaaaaaaaaaaaaaaa","ts":1795341598,"msg":{"email":"a@example.com"}}]'
    body = "mandrill_events=" + quote(events, safe="")
    path = "/mandrill"
    sig = b64(hmac.new(key.encode(), (base + path + "mandrill_events" + events).encode(), hashlib.sha1).digest())
    h = lambda s: [["Content-Type", "application/x-www-form-urlencoded"], ["X-Mandrill-Signature", s]]
    c = [
        case(p, "valid", "HMAC-SHA1 over configured URL + sorted key/values.", cfg, [req(h(sig), body, accept({"matched_key": 0}), uri=path)]),
        case(p, "head-check", "Mandrill's HEAD check when the URL is added.", cfg, [req([], "", respond(""), uri=path, method="HEAD")]),
        case(p, "other-url", "Signed for another URL.", {"secrets": [key], "public_base": "https://other.example.com"}, [req(h(sig), body, reject("signature_mismatch"), uri=path)]),
        case(p, "tampered", "An event changed.", cfg, [req(h(sig), body.replace("send", "open"), reject("signature_mismatch"), uri=path)]),
        case(p, "missing", "No signature.", cfg, [req(h(sig)[:1], body, reject("missing_header"), uri=path)]),
        case(p, "rotation", "Two keys; the second signed.", {"secrets": ["new", key], "public_base": base}, [req(h(sig), body, accept({"matched_key": 1}), uri=path)]),
        case(p, "replay", "The same batch twice.", cfg, [req(h(sig), body, accept(), uri=path), req(h(sig), body, duplicate(), uri=path)]),
    ]
    write(p, c)


# ---------------------------------------------------------------- Box
def boxcom():
    p = "boxcom"
    primary = "box-primary-signature-key-0123456789"
    secondary = "box-secondary-signature-key-9876543210"
    cfg = {"primary_key": primary, "secondary_key": secondary, "tolerance_secs": 600}
    body = '{"type":"webhook_event","id":"eb0e6a0e-3f2e-4c36-8a5e-2c1b5a8f1b1a","created_at":"2026-11-22T01:59:50-08:00","trigger":"FILE.UPLOADED","webhook":{"id":"12345","type":"webhook"},"source":{"id":"123456789","type":"file","name":"a.txt"}}'
    ts = "2026-11-22T01:59:55-08:00"  # 5 s before now, written with Box's offset
    sig = lambda key, t=ts, b=body: b64(mac(key, b + t))
    def h(p_sig=None, s_sig=None, t=ts, extra=()):
        headers = [["Content-Type", "application/json"], ["BOX-DELIVERY-ID", "d-1"], ["BOX-DELIVERY-TIMESTAMP", t], ["BOX-SIGNATURE-VERSION", "1"], ["BOX-SIGNATURE-ALGORITHM", "HmacSHA256"]]
        if p_sig is not None:
            headers.append(["BOX-SIGNATURE-PRIMARY", p_sig])
        if s_sig is not None:
            headers.append(["BOX-SIGNATURE-SECONDARY", s_sig])
        return headers + list(extra)
    stale = "2026-11-22T01:49:59-08:00"
    # box/box-node-sdk tests/lib/managers/webhooks-test.js (validateMessage)
    src = "box/box-node-sdk tests/lib/managers/webhooks-test.js"
    sdk_body = '{"type":"webhook_event","webhook":{"id":"1234567890"},"trigger":"FILE.UPLOADED","source":{"id":"1234567890","type":"file","name":"Test.txt"}}'
    sdk_ts = "2020-01-01T00:00:00-07:00"
    sdk_unix = 1577862000  # 2020-01-01T07:00:00Z
    sdk_primary, sdk_secondary = "6TfeAW3A1PASkgboxxA5yqHNKOwFyMWuEXny/FPD5hI=", "v+1CD1Jdo3muIcbpv5lxxgPglOqMfsNHPV899xWYydo="
    assert sig("SamplePrimaryKey", sdk_ts, sdk_body) == sdk_primary and sig("SampleSecondaryKey", sdk_ts, sdk_body) == sdk_secondary
    def sdk_headers(version="1", algorithm="HmacSHA256"):
        return [["Content-Type", "application/json"], ["box-delivery-id", "f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f"], ["box-delivery-timestamp", sdk_ts],
                ["box-signature-algorithm", algorithm], ["box-signature-primary", sdk_primary], ["box-signature-secondary", sdk_secondary], ["box-signature-version", version]]
    sdk_cfg = lambda p_key="SamplePrimaryKey", s_key="SampleSecondaryKey": {"primary_key": p_key, "secondary_key": s_key, "tolerance_secs": 600}
    c = [
        case(p, "valid-primary", "Primary key signature over body ‖ timestamp; timestamp with a -08:00 offset.", cfg,
             [req(h(sig(primary), sig(secondary)), body, accept({"id": "eb0e6a0e-3f2e-4c36-8a5e-2c1b5a8f1b1a", "event_type": "FILE.UPLOADED", "timestamp": NOW - 5, "matched_key": 0}))]),
        case(p, "published-sdk-example", f"Box's SDK test vector ({src}): keys SamplePrimaryKey / SampleSecondaryKey, timestamp 2020-01-01T00:00:00-07:00, both signatures, judged 5 s later.", sdk_cfg(),
             [req(sdk_headers(), sdk_body, accept({"id": "f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f", "event_type": "FILE.UPLOADED", "timestamp": sdk_unix, "matched_key": 0}))], now=sdk_unix + 5),
        case(p, "published-sdk-secondary-key", f"The SDK vector with a wrong primary key configured: the secondary verifies ({src}).", sdk_cfg("IncorrectKey"),
             [req(sdk_headers(), sdk_body, accept({"matched_key": 1}))], now=sdk_unix + 5),
        case(p, "published-sdk-wrong-keys", f"The SDK vector under IncorrectKey twice ({src}).", sdk_cfg("IncorrectKey", "IncorrectKey"),
             [req(sdk_headers(), sdk_body, reject("signature_mismatch"))], now=sdk_unix + 5),
        case(p, "published-sdk-15-minutes", f"The SDK vector 15 minutes later: past Box's 10 minutes ({src}).", sdk_cfg(),
             [req(sdk_headers(), sdk_body, reject("timestamp_out_of_tolerance"))], now=sdk_unix + 900),
        case(p, "published-sdk-wrong-version-or-algorithm", f"The SDK vector with BOX-SIGNATURE-VERSION 2, then BOX-SIGNATURE-ALGORITHM XXX ({src}).", sdk_cfg(),
             [req(sdk_headers(version="2"), sdk_body, reject("signature_mismatch")), req(sdk_headers(algorithm="XXX"), sdk_body, reject("signature_mismatch"))], now=sdk_unix + 5),
        case(p, "rotated-primary", "The primary key was rotated at Box but not here: the secondary verifies.", cfg,
             [req(h(sig("new-primary-at-box"), sig(secondary)), body, accept({"matched_key": 1}))]),
        case(p, "swapped-keys", "Each signature under the other key.", cfg,
             [req(h(sig(secondary), sig(primary)), body, reject("signature_mismatch"))]),
        case(p, "stale", "Delivered 601 s ago.", cfg, [req(h(sig(primary, stale), None, stale), body, reject("timestamp_out_of_tolerance"))]),
        case(p, "timestamp-not-rfc3339", "Timestamp in Unix seconds.", cfg, [req(h(sig(primary, str(NOW)), None, str(NOW)), body, reject("malformed_header"))]),
        case(p, "wrong-algorithm-label", "BOX-SIGNATURE-ALGORITHM other than HmacSHA256.", cfg,
             [req([x if x[0] != "BOX-SIGNATURE-ALGORITHM" else ["BOX-SIGNATURE-ALGORITHM", "HmacSHA1"] for x in h(sig(primary))], body, reject("signature_mismatch"))]),
        case(p, "no-signature", "Neither signature header.", cfg, [req(h(), body, reject("missing_header"))]),
        case(p, "replay", "The same event twice.", cfg, [req(h(sig(primary)), body, accept()), req(h(sig(primary)), body, duplicate())]),
    ]
    write(p, c)


for f in (github, stripe, slack, shopify, zoom, gitlab, twilio, discord, custom, linear, square, mailgun, paddle, typeform, calendly, intercom, mux, sentry, hubspot, sendgrid, zendesk, xero, dropbox, pagerduty, telnyx, twitter, meta, bitbucket, docusign, mandrill, boxcom):
    f()
