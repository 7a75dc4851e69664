#!/usr/bin/python3
"""A real SMTP server for the SMTP client's tests: aiosmtpd on 127.0.0.1, a random port.

Prints "listening on 127.0.0.1:PORT" once it accepts connections. Each message it takes is
written to --maildir as N.eml (the bytes after the DATA phase, dot-stuffing undone) and N.json
(the envelope, and the message as Python's email package reads it), N counting from 1.

Recipients whose local part starts with "reject" are refused with 550, with "busy" with 451.
"""
import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def parse_message(raw: bytes) -> dict:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {
        "header_names": list(msg.keys()),
        "subject": str(msg["subject"]) if msg["subject"] is not None else None,
        "message_id": str(msg["message-id"]) if msg["message-id"] is not None else None,
        "content_type": msg.get_content_type(),
        "defects": [repr(d) for d in msg.defects],
        "extra": {k: str(v) for k, v in msg.items() if k.lower().startswith("x-")},
    }
    try:
        out["date"] = msg["date"].datetime.isoformat()
    except Exception as error:  # noqa: BLE001 - the test reports what failed
        out["date"] = None
        out["defects"].append("date: " + repr(error))
    for field in ("from", "to"):
        header = msg[field]
        out[field] = [[a.display_name, a.addr_spec] for a in header.addresses] if header else []
        if header is not None:
            out["defects"] += [field + ": " + repr(d) for d in header.defects]
    out["defects"] += ["subject: " + repr(d) for d in getattr(msg["subject"], "defects", [])]
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    # Line endings as Python writes them: "\n".
    out["text"] = text.get_content().replace("\r\n", "\n") if text is not None else None
    out["html"] = html.get_content().replace("\r\n", "\n") if html is not None else None
    out["text_encoding"] = text["content-transfer-encoding"] if text is not None else None
    return out


class Handler:
    def __init__(self, maildir):
        self.maildir = maildir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local.startswith("busy"):
            return "451 4.3.0 <%s>: Mailbox busy, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        n = self.count
        raw = envelope.original_content
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None or server.implicit_tls,
            "auth": session.auth_data,
            "message": parse_message(raw),
        }
        base = os.path.join(self.maildir, str(n))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(raw)
        os.rename(base + ".eml.tmp", base + ".eml")
        # The .json appears last and whole: a test waiting for it sees the .eml too.
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 Ok: queued as %d" % n


class Server(SMTP):
    implicit_tls = False


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        # handled=False lets aiosmtpd answer a failure with its own 535.
        return AuthResult(success=ok, handled=False, auth_data=mechanism if ok else None)
    return authenticate


async def scripted_starttls_injection(reader, writer):
    """A server that answers STARTTLS and, in the same packet, a reply the client never asked
    for: a client that reads it after the handshake would take it as the server's."""
    writer.write(b"220 mail.test ESMTP\r\n")
    while True:
        line = await reader.readline()
        if not line:
            break
        command = line.strip().upper()
        if command.startswith(b"EHLO"):
            writer.write(b"250-mail.test\r\n250 STARTTLS\r\n")
        elif command == b"STARTTLS":
            writer.write(b"220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 AUTH PLAIN\r\n")
        elif command == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:
            writer.write(b"502 5.5.2 not here\r\n")
        await writer.drain()
    writer.close()


async def silent(reader, writer):
    """Accepts and never says a word."""
    await reader.read()
    writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--maildir")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--no-starttls", action="store_true")
    parser.add_argument("--user", help="USER:PASSWORD; AUTH is then required")
    parser.add_argument("--auth-mechanisms", default="PLAIN,LOGIN")
    parser.add_argument("--mode", default="smtp", choices=["smtp", "starttls-inject", "silent"])
    args = parser.parse_args()
    # aiosmtpd's deprecation notes would only clutter the test output.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    # Implicit TLS needs AUTH without STARTTLS, which aiosmtpd warns about.
    warnings.simplefilter("ignore", UserWarning)
    loop = asyncio.get_running_loop()

    if args.mode != "smtp":
        callback = scripted_starttls_injection if args.mode == "starttls-inject" else silent
        server = await asyncio.start_server(callback, "127.0.0.1", 0)
    else:
        tls = None
        if args.cert:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(args.cert, args.key)
        handler = Handler(args.maildir)
        offered = set(args.auth_mechanisms.split(","))
        user, password = (args.user.split(":", 1) if args.user else (None, None))

        def factory():
            smtp = Server(
                handler,
                hostname="mail.test",
                tls_context=None if (args.implicit_tls or args.no_starttls) else tls,
                require_starttls=bool(tls) and not args.implicit_tls and not args.no_starttls,
                authenticator=make_authenticator(user, password) if user else None,
                auth_required=bool(user),
                auth_require_tls=not args.implicit_tls,
                auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m not in offered],
                loop=loop,
            )
            smtp.implicit_tls = args.implicit_tls
            return smtp

        server = await loop.create_server(factory, "127.0.0.1", 0,
                                          ssl=tls if args.implicit_tls else None)
    port = server.sockets[0].getsockname()[1]
    print("listening on 127.0.0.1:%d" % port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
