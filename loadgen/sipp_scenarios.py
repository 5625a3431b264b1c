"""SIPp scenarios and injection files rendered from a call plan. Pure text: the runner writes them to files.

- Callers (one SIPp UAC for the whole plan): each call waits for its planned arrival, INVITEs the hotline number
  on the IP-identified trunk, plays its IVR path's keys (RFC 4733 events rendered per key string, see
  :mod:`loadgen.rtp_pcap`) at the path's timing, then a tone for the rest of the call, and waits for the far
  end's BYE (the agent hung up, or the IVR said goodbye); after ``patience`` seconds without one it hangs up
  itself (an abandon: a planned call that should not end so).
- Seats (one SIPp UAS answering every seat): the seats are first registered from the UAS's own port (a UAC
  REGISTER with digest auth per seat, then the UAS binds the same port), so Asterisk dials each seat there. The
  UAS answers at once, plays a tone, talks the call's planned time and hangs up. The talk time reaches it in the
  caller's display name (``qqt<ms>``), which Asterisk passes to the seat unchanged.
- Every step worth counting writes a line to SIPp's log (``-trace_logs``): ``<event> <caller number> <ms>``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from loadgen.plan import CallPlan, IvrPath, PlannedCall
from loadgen.rtp_pcap import dtmf_seconds

_KEY_NAMES = {"#": "pound", "*": "star"}
# SIPp stops a call's media thread when the next play starts (the tone after the keys). On a starved machine
# (a cold snap: load average over 100) the keys' thread can start or run late and be stopped before it sent
# them all: the caller's keys were lost and the IVR heard silence. The next play waits this long after the
# keys' own length.
KEYS_SETTLE_MS = 2000
LOG_EVENTS = ("invite", "up", "far_bye", "gave_up", "seat_answer", "seat_bye")


def talk_display_name(call: PlannedCall) -> str:
    return f"qqt{round(call.talk_seconds * 1000)}"


def caller_rows(plan: CallPlan, launch_rate: float) -> str:
    """The callers' injection file: number; display name; wait before the INVITE (ms, the planned arrival less
    the moment SIPp launches the call at ``launch_rate`` calls a second); path name."""
    lines = ["SEQUENTIAL"]
    for n, call in enumerate(plan.calls):
        wait_ms = max(0, round((call.arrive_seconds - n / launch_rate) * 1000))
        lines.append(f"{call.caller_number};{talk_display_name(call)};{wait_ms};{call.path.name}")
    return "\n".join(lines) + "\n"


def seat_rows(seats: Iterable[tuple[str, str]]) -> str:
    """The REGISTER injection file: seat; SIPp's authentication keyword with the seat's credentials."""
    lines = ["SEQUENTIAL"]
    lines += [f"{name};[authentication username={name} password={password}]" for name, password in seats]
    return "\n".join(lines) + "\n"


def _sdp() -> str:
    return ("v=0\r\no=qq 1 1 IN IP[local_ip_type] [local_ip]\r\ns=-\r\nc=IN IP[media_ip_type] [media_ip]\r\n"
            "t=0 0\r\nm=audio [media_port] RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n")


def _message(text: str) -> str:
    """A SIP message in CDATA; SIPp fixes line ends and fills ``[len]``."""
    return f"<![CDATA[\n{text}\n]]>"


def _log(event: str, who: str) -> str:
    return f'<nop><action><log message="{event} {who} [clock_tick]"/></action></nop>'


def _play(path: Path) -> str:
    return f'<nop><action><exec play_pcap_audio="{path}"/></action></nop>'


def dtmf_file(keys: str) -> str:
    """The file name of the pcap of ``keys`` (see :func:`loadgen.rtp_pcap.rtp_dtmf_pcap`)."""
    return "keys-" + "".join(_KEY_NAMES.get(key, key) for key in keys) + ".pcap"


def _path_steps(path: IvrPath, media_dir: Path) -> list[str]:
    steps = []
    for press in path.presses:
        steps.append(f'<pause milliseconds="{int(press.after_seconds * 1000)}"/>')
        steps.append(_play(media_dir / dtmf_file(press.keys)))
        steps.append(f'<pause milliseconds="{int(dtmf_seconds(press.keys) * 1000) + KEYS_SETTLE_MS}"/>')
    return steps


def caller_scenario(paths: Sequence[IvrPath], number: str, patience_seconds: float, tone: Path,
                    media_dir: Path) -> str:
    """The UAC scenario of every planned call: a branch per IVR path, chosen by the injection file's path name."""
    choose = ['<nop><action>', '<assignstr assign_to="path" value="[field3]"/>',
              '<assignstr assign_to="waits" value="[field2]"/>', '<todouble assign_to="wait" variable="waits"/>']
    for n, path in enumerate(paths):
        choose.append(f'<strcmp assign_to="c{n}" variable="path" value="{path.name}"/>')
        choose.append(f'<test assign_to="is{n}" variable="c{n}" compare="equal" value="0"/>')
    choose.append('</action></nop>')
    invite = _message(
        f"INVITE sip:{number}@[remote_ip]:[remote_port] SIP/2.0\n"
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        'From: "[field1]" <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]qq[call_number]\n'
        f"To: <sip:{number}@[remote_ip]:[remote_port]>\nCall-ID: [call_id]\nCSeq: 1 INVITE\n"
        "Contact: <sip:[field0]@[local_ip]:[local_port]>\nMax-Forwards: 70\n"
        "Content-Type: application/sdp\nContent-Length: [len]\n\n" + _sdp())
    ack = _message(
        "ACK [next_url] SIP/2.0\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        "[last_From:]\n[last_To:]\nCall-ID: [call_id]\nCSeq: 1 ACK\n"
        "Contact: <sip:[field0]@[local_ip]:[local_port]>\nMax-Forwards: 70\nContent-Length: 0\n")
    bye = _message(
        "BYE [next_url] SIP/2.0\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        '[last_From:]\n[last_To:]\nCall-ID: [call_id]\nCSeq: 2 BYE\n'
        "Contact: <sip:[field0]@[local_ip]:[local_port]>\nMax-Forwards: 70\nContent-Length: 0\n")
    body = [*choose, '<pause variable="wait"/>', _log("invite", "[field0]"),
            f'<send retrans="500">{invite}</send>',
            '<recv response="100" optional="true"/>', '<recv response="180" optional="true"/>',
            '<recv response="183" optional="true"/>', '<recv response="200" rrs="true"/>',
            f"<send>{ack}</send>", _log("up", "[field0]")]
    body += [f'<nop next="path{n}" test="is{n}"/>' for n in range(len(paths))]
    body.append('<nop next="talk"/>')
    for n, path in enumerate(paths):
        body += [f'<label id="path{n}"/>', *_path_steps(path, media_dir), '<nop next="talk"/>']
    body += ['<label id="talk"/>', _play(tone),
             f'<recv request="BYE" timeout="{int(patience_seconds * 1000)}" ontimeout="giveup"/>',
             f"<send>{_ok()}</send>", _log("far_bye", "[field0]"), '<nop next="end"/>',
             '<label id="giveup"/>', _log("gave_up", "[field0]"), f'<send retrans="500">{bye}</send>',
             '<recv response="200"/>', '<label id="end"/>']
    return _scenario("qingquan callers", body)


def _ok() -> str:
    return _message("SIP/2.0 200 OK\n[last_Via:]\n[last_From:]\n[last_To:]\n[last_Call-ID:]\n[last_CSeq:]\n"
                    "Content-Length: 0\n")


def seat_scenario(tone: Path) -> str:
    """The UAS scenario of every seat: answer at once, tone, talk the time named in the caller's display name
    (``qqt<ms>``), BYE."""
    answer = _message(
        "SIP/2.0 200 OK\n[last_Via:]\n[last_From:]\n[last_To:];tag=[pid]qqs[call_number]\n[last_Call-ID:]\n"
        "[last_CSeq:]\nContact: <sip:seat@[local_ip]:[local_port]>\nContent-Type: application/sdp\n"
        "Content-Length: [len]\n\n" + _sdp())
    bye = _message(
        "BYE [next_url] SIP/2.0\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        "From: [$seat_uri];tag=[pid]qqs[call_number]\nTo: [$caller]\nCall-ID: [call_id]\nCSeq: 1 BYE\n"
        "Max-Forwards: 70\nContent-Length: 0\n")
    body = ['<recv request="INVITE" rrs="true"><action>',
            '<ereg regexp="qqt([0-9]+)" search_in="hdr" header="From:" assign_to="talks,talks"/>',
            '<ereg regexp="&lt;sip:([0-9]+)@" search_in="hdr" header="From:" assign_to="number,number"/>',
            '<ereg regexp=".*" search_in="hdr" header="From:" assign_to="caller"/>',
            '<ereg regexp="[^;]*" search_in="hdr" header="To:" assign_to="seat_uri"/>',
            '<todouble assign_to="talk" variable="talks"/>', '</action></recv>',
            f'<send retrans="500">{answer}</send>', '<recv request="ACK"/>',
            _log("seat_answer", "[$number]"), _play(tone), '<pause variable="talk"/>',
            _log("seat_bye", "[$number]"), f'<send retrans="500">{bye}</send>', '<recv response="200"/>']
    return _scenario("qingquan seats", body)


def register_scenario(expires_seconds: int = 3600) -> str:
    """REGISTER each seat of the injection file with digest auth, from SIPp's port (the UAS's, later)."""
    def register(cseq: int, auth: str) -> str:
        return _message(
            "REGISTER sip:[remote_ip]:[remote_port] SIP/2.0\n"
            "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
            "From: <sip:[field0]@[remote_ip]>;tag=[pid]qqr[call_number]\nTo: <sip:[field0]@[remote_ip]>\n"
            f"Call-ID: [call_id]\nCSeq: {cseq} REGISTER\nContact: <sip:[field0]@[local_ip]:[local_port]>\n"
            f"{auth}Expires: {expires_seconds}\nMax-Forwards: 70\nContent-Length: 0\n")
    body = [f'<send retrans="500">{register(1, "")}</send>', '<recv response="401" auth="true"/>',
            f'<send retrans="500">{register(2, "[field1]" + chr(10))}</send>', '<recv response="200"/>']
    return _scenario("qingquan seat registration", body)


def _scenario(name: str, body: list[str]) -> str:
    return ('<?xml version="1.0" encoding="ISO-8859-1" ?>\n'
            f'<scenario name="{name}">\n' + "\n".join(body) + "\n</scenario>\n")
