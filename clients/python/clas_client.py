#!/usr/bin/python3
"""A small Python client of the clas-ledger API, from stubs generated from proto/.

The stubs are generated at build time (clients/python/CMakeLists.txt) into
build/clients/python/gen; --stubs DIR (or $CLAS_PYTHON_STUBS) names another folder. They need
Debian's python3-grpcio and python3-protobuf, hence /usr/bin/python3.

As a module:  ClasClient(target, token) with one method per call used below.
As a program: the steps of a convention up to its first acompte, then a read and a subscription;
every answer printed as one line of the API's JSON (proto3 JSON mapping, field names as in the
.proto), so that any other program can read it. Tokens come from a "user token" list (the demo's
data/tokens.clear) and --as USER, as clasctl takes them.

  clas_client.py --target 127.0.0.1:50051 --token-file data/tokens.clear --as agent-caf-01 \\
      open --caf caf-01 --convention conv-py-1 --gestionnaire asso-py --school-year 2026 \\
      --collectifs 3 --charges-cents 3076922
  clas_client.py ... acompte --caf caf-01 --convention conv-py-1 --payment-id a1 \\
      --school-year 2026 --amount-cents 280000 --date 20261015
  clas_client.py ... show --caf caf-01 --convention conv-py-1
  clas_client.py ... --as service-demo follow --caf caf-01 --from-position 1 --until ID ...

Exit codes: 0 done; 1 refused by the server (the error printed as a google.rpc.Status in JSON,
its details the clas.v1.RuleViolations); 2 usage; 3 unreachable or timed out.
"""

import argparse
import os
import sys

DEFAULT_STUBS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build",
                             "clients", "python", "gen")
# The trailer where the server puts a google.rpc.Status with the rules a command failed.
STATUS_DETAILS_KEY = "grpc-status-details-bin"
# Seconds any call may take; a subscription is bounded by its own --timeout-seconds.
CALL_TIMEOUT_SECONDS = 30


def load_stubs(folder):
    """Imports the generated modules from `folder`; returns them as a namespace."""
    sys.path.insert(0, os.path.abspath(folder))
    import grpc  # noqa: E402  (Debian's python3-grpcio)
    from google.protobuf import json_format  # noqa: E402
    from google.rpc import status_pb2  # noqa: E402
    # types_pb2 holds RuleViolations, the detail of a refusal: loaded, its JSON can be printed.
    from clas.v1 import commands_pb2, events_pb2, service_pb2, service_pb2_grpc  # noqa: E402
    from clas.v1 import types_pb2  # noqa: E402
    return argparse.Namespace(grpc=grpc, json_format=json_format, status_pb2=status_pb2,
                              commands=commands_pb2, events=events_pb2, types=types_pb2,
                              service=service_pb2, service_grpc=service_pb2_grpc)


class Refused(Exception):
    """A call the server refused: `status` is the google.rpc.Status it sent (code, message and,
    for a refusal by the rules, one clas.v1.RuleViolations in details)."""

    def __init__(self, status):
        super().__init__(status.message)
        self.status = status


class ClasClient:
    """Calls of the clas-ledger API with one bearer token over one channel (plain text: the
    server listens in clear on loopback only; elsewhere use grpc.secure_channel)."""

    def __init__(self, stubs, target, token):
        self._s = stubs
        self._channel = stubs.grpc.insecure_channel(target)
        self._metadata = (("authorization", "Bearer " + token),)
        self.conventions = stubs.service_grpc.ConventionsStub(self._channel)
        self.queries = stubs.service_grpc.QueriesStub(self._channel)
        self.ledger = stubs.service_grpc.LedgerStub(self._channel)

    def close(self):
        self._channel.close()

    def _call(self, method, request):
        try:
            return method(request, metadata=self._metadata, timeout=CALL_TIMEOUT_SECONDS)
        except self._s.grpc.RpcError as error:
            raise Refused(self._status_of(error)) from None

    def _status_of(self, error):
        """The google.rpc.Status of a failed call: the rich one of the trailer when there is
        one, else one made of the code and message."""
        for key, value in error.trailing_metadata() or ():
            if key == STATUS_DETAILS_KEY:
                return self._s.status_pb2.Status.FromString(value)
        return self._s.status_pb2.Status(code=error.code().value[0], message=error.details() or "")

    def command(self, rpc_name, request_id, command):
        """Sends one command of Conventions (e.g. "PayAcompte") under `request_id`: a retry with
        the same id and command answers the first call's events again (replayed = true)."""
        request_type = getattr(self._s.service, rpc_name + "Request")
        request = request_type(request_id=request_id)
        request.command.CopyFrom(command)
        return self._call(getattr(self.conventions, rpc_name), request)

    def get_convention(self, caf_id, convention_id):
        request = self._s.service.GetConventionRequest(caf_id=caf_id, convention_id=convention_id)
        return self._call(self.queries.GetConvention, request)

    def follow(self, caf_id, from_position, until_ids, timeout_seconds):
        """Yields the events of `caf_id` from `from_position` on (Ledger.Subscribe), until every
        id of `until_ids` was seen. Raises TimeoutError when `timeout_seconds` pass first."""
        request = self._s.service.SubscribeRequest(from_position=from_position, caf_ids=[caf_id])
        stream = self.ledger.Subscribe(request, metadata=self._metadata, timeout=timeout_seconds)
        missing = set(until_ids)
        try:
            for item in stream:
                if item.WhichOneof("item") != "event":
                    continue
                missing.discard(item.event.event_id)
                yield item.event
                if not missing:
                    return
        except self._s.grpc.RpcError as error:
            if error.code() == self._s.grpc.StatusCode.DEADLINE_EXCEEDED:
                raise TimeoutError(f"{len(missing)} event(s) not seen") from None
            raise Refused(self._status_of(error)) from None
        finally:
            stream.cancel()
        raise TimeoutError(f"the subscription ended with {len(missing)} event(s) not seen")


def open_convention_commands(s, a):
    """The commands that carry a new convention up to its signature (the order of a Caf agent's
    acts): register the gestionnaire, file the request, record the comité's agrément, sign. The
    barème of the school year must be published (PublishBareme, the cnaf role)."""
    year = a.school_year
    register = s.commands.RegisterGestionnaire(
        caf_id=a.caf, gestionnaire_id=a.gestionnaire, name="Gestionnaire " + a.gestionnaire,
        kind=s.types.ASSOCIATION, date=year * 10000 + 101)
    request = s.events.FundingRequestFiled(
        convention_id=a.convention, gestionnaire_id=a.gestionnaire, first_school_year=year,
        school_years=1, family_participation_symbolic=True,
        action_start_date=year * 10000 + 1105, action_end_date=(year + 1) * 10000 + 630,
        charges_cents=a.charges_cents)
    request.axes.children = request.axes.parents = True
    request.axes.school = request.axes.local_partners = True
    for i in range(a.collectifs):
        request.collectifs.add(collectif_id=f"C{i + 1}", children=10, animateurs=2,
                               sessions_per_week=2, session_minutes=90, weeks=30,
                               levels=[s.types.ELEMENTAIRE], single_accessible_place=True)
    file = s.commands.FileFundingRequest(caf_id=a.caf, request=request, date=year * 10000 + 601)
    decision = s.events.CommitteeDecisionRecorded(
        decision_id="comite-" + a.convention, outcome=s.events.VALIDATED,
        mode=s.events.POUR_VALIDATION, first_school_year=year, last_school_year=year,
        agreed_collectifs=a.collectifs)
    agree = s.commands.RecordCommitteeDecision(caf_id=a.caf, convention_id=a.convention,
                                               decision=decision, date=year * 10000 + 701)
    sign = s.commands.SignConvention(caf_id=a.caf, convention_id=a.convention,
                                     first_school_year=year, last_school_year=year,
                                     date=year * 10000 + 715)
    return [("RegisterGestionnaire", register), ("FileFundingRequest", file),
            ("RecordCommitteeDecision", agree), ("SignConvention", sign)]


def to_json(s, message):
    """`message` in the proto3 JSON mapping, on one line, with the .proto's field names."""
    return s.json_format.MessageToJson(message, preserving_proto_field_name=True, indent=None,
                                       ensure_ascii=False)


def run(s, client, a, out):
    """Runs the subcommand of `a`, printing each answer as one JSON line to `out`."""
    def emit(message):
        out.write(to_json(s, message) + "\n")
        out.flush()

    if a.command == "bareme":
        bareme = s.commands.PublishBareme(reference=a.reference, date=a.school_year * 10000 + 601)
        bareme.bareme.school_year = a.school_year
        bareme.bareme.plafond_cents = a.plafond_cents
        bareme.bareme.bonus_enfants_cents = a.bonus_enfants_cents
        bareme.bareme.bonus_parents_cents = a.bonus_parents_cents
        emit(client.command("PublishBareme", f"py-bareme-{a.school_year}", bareme))
    elif a.command == "open":
        for rpc_name, command in open_convention_commands(s, a):
            emit(client.command(rpc_name, f"py-{a.convention}-{rpc_name}", command))
    elif a.command == "acompte":
        acompte = s.commands.PayAcompte(caf_id=a.caf, convention_id=a.convention,
                                        payment_id=a.payment_id, school_year=a.school_year,
                                        amount_cents=a.amount_cents, date=a.date)
        request_id = f"py-{a.convention}-acompte-{a.payment_id}-{a.amount_cents}"
        emit(client.command("PayAcompte", request_id, acompte))
    elif a.command == "show":
        emit(client.get_convention(a.caf, a.convention))
    elif a.command == "follow":
        for event in client.follow(a.caf, a.from_position, a.until, a.timeout_seconds):
            emit(event)


def read_token(path, user):
    """The token of `user` in a "user token" list ('#' lines ignored)."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) == 2 and not fields[0].startswith("#") and fields[0] == user:
                return fields[1]
    raise KeyError(f"no token of {user} in {path}")


def parse_args(argv):
    p = argparse.ArgumentParser(description="A Python client of the clas-ledger API.")
    p.add_argument("--target", default="127.0.0.1:50051", help="host:port of clas-ledgerd")
    p.add_argument("--token-file", required=True, help='a "user token" list (data/tokens.clear)')
    p.add_argument("--as", dest="user", required=True, help="the user whose token to send")
    p.add_argument("--stubs", default=os.environ.get("CLAS_PYTHON_STUBS", DEFAULT_STUBS),
                   help="the folder of the generated modules (build/clients/python/gen)")
    sub = p.add_subparsers(dest="command", required=True)

    bareme = sub.add_parser("bareme", help="publish the barème of a school year (cnaf role)")
    bareme.add_argument("--school-year", type=int, required=True)
    bareme.add_argument("--plafond-cents", type=int, required=True)
    bareme.add_argument("--bonus-enfants-cents", type=int, default=0)
    bareme.add_argument("--bonus-parents-cents", type=int, default=0)
    bareme.add_argument("--reference", default="")

    open_ = sub.add_parser("open", help="a convention from its request to its signature")
    for name in ("--caf", "--convention", "--gestionnaire"):
        open_.add_argument(name, required=True)
    open_.add_argument("--school-year", type=int, required=True)
    open_.add_argument("--collectifs", type=int, default=3)
    open_.add_argument("--charges-cents", type=int, required=True)

    acompte = sub.add_parser("acompte", help="pay an acompte")
    for name in ("--caf", "--convention", "--payment-id"):
        acompte.add_argument(name, required=True)
    acompte.add_argument("--school-year", type=int, required=True)
    acompte.add_argument("--amount-cents", type=int, required=True)
    acompte.add_argument("--date", type=int, required=True, help="yyyymmdd")

    show = sub.add_parser("show", help="a convention's state (Queries.GetConvention)")
    show.add_argument("--caf", required=True)
    show.add_argument("--convention", required=True)

    follow = sub.add_parser("follow", help="a Caf's events (Ledger.Subscribe, service role)")
    follow.add_argument("--caf", required=True)
    follow.add_argument("--from-position", type=int, default=1)
    follow.add_argument("--until", nargs="+", required=True, help="stop once these ids are seen")
    follow.add_argument("--timeout-seconds", type=float, default=30)
    return p.parse_args(argv)


def main(argv):
    a = parse_args(argv)
    sys.stdout.reconfigure(encoding="utf-8")  # the rules' messages are French
    try:
        s = load_stubs(a.stubs)
    except ImportError as error:
        print(f"clas_client: {error} (python3-grpcio, and the stubs in {a.stubs}?)",
              file=sys.stderr)
        return 2
    client = ClasClient(s, a.target, read_token(a.token_file, a.user))
    try:
        run(s, client, a, sys.stdout)
    except Refused as refused:
        code = refused.status.code
        if code in (s.grpc.StatusCode.UNAVAILABLE.value[0],
                    s.grpc.StatusCode.DEADLINE_EXCEEDED.value[0]):
            print(f"clas_client: unreachable: {refused.status.message}", file=sys.stderr)
            return 3
        print(to_json(s, refused.status))
        return 1
    except TimeoutError as error:
        print(f"clas_client: {error}", file=sys.stderr)
        return 3
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
