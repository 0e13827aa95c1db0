#!/usr/bin/env python3
"""A real SMTP server for the email output's tests (aiosmtpd, Debian's python3-aiosmtpd).

It listens on 127.0.0.1 at a free port and writes that port to --port-file once it accepts
connections. With --cert/--key it offers STARTTLS and requires it before anything else, and
AUTH (only after STARTTLS) checks --user/--password. Every delivered message is parsed with
Python's email parser and written as message-N.json to --out; every envelope step (AUTH, MAIL,
RCPT, DATA) is appended to events.log there, so a test can prove that nothing was sent.
Recipients starting with "reject" get 550, "greylist" 451. Stops on SIGTERM.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user", default="")
    ap.add_argument("--password", default="")
    args = ap.parse_args()

    events_path = os.path.join(args.out, "events.log")
    counter = {"n": 0}

    def event(text):
        with open(events_path, "a", encoding="utf-8") as f:
            f.write(text + "\n")

    class Handler:
        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            event("MAIL " + address + (" tls" if session.ssl is not None else " plain"))
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            return "250 OK"

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            event("RCPT " + address)
            if address.startswith("reject"):
                return "550 5.1.1 No such user here"
            if address.startswith("greylist"):
                return "451 4.7.1 Greylisted, try again later"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            event("DATA")
            raw = envelope.original_content or envelope.content
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            counter["n"] += 1
            record = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "tls": session.ssl is not None,
                "authenticated": bool(session.authenticated),
                "subject": str(msg["Subject"]),
                "from": str(msg["From"]),
                "to": str(msg["To"]),
                "message_id": str(msg["Message-ID"]),
                "content_type": msg.get_content_type(),
                "body": msg.get_content().replace("\r\n", "\n"),
            }
            path = os.path.join(args.out, "message-%d.json" % counter["n"])
            # Written in full before the 250 reply, so a client that got 250 finds the file.
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                json.dump(record, f)
            os.replace(path + ".tmp", path)
            return "250 Message accepted for delivery"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        user = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "?"
        event("AUTH %s %s %s" % (mechanism, user, "ok" if ok else "fail"))
        # handled=False: aiosmtpd itself answers a failure with 535.
        return AuthResult(success=ok, handled=False)

    tls = None
    if args.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(Handler(), hostname="localhost", tls_context=tls,
                    require_starttls=tls is not None, auth_required=bool(args.user),
                    auth_require_tls=True, authenticator=authenticator, loop=loop)

    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.replace(args.port_file + ".tmp", args.port_file)

    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    main()
