"""coscmd (Tencent's Python CLI), pointed at the emulator: the reference of the CLI rows
of `cargo xtask bench`.

Usage:
    coscmd_emulator.py --endpoint http://127.0.0.1:PORT -- COSCMD ARGUMENTS...

coscmd has no option for a path-style or IP endpoint, so this wrapper makes every
`CosConfig` it creates use the SDK's IP mode (`IP`, `Port`, `Scheme='http'`, as
`python_transfer.py` does) and then runs coscmd's own entry point unchanged, with the
arguments after `--` (which name the configuration file with `-c`). Run it with the venv
that `cargo xtask interop` creates, where `cargo xtask bench` installs coscmd.
"""

import sys

import qcloud_cos


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[0] != "--endpoint" or args[2] != "--":
        sys.exit(__doc__)
    host, _, port = args[1].replace("http://", "", 1).rstrip("/").partition(":")
    original = qcloud_cos.CosConfig

    class EmulatorConfig(original):
        def __init__(self, *positional, **named):
            named.pop("Endpoint", None)
            named.update(IP=host, Port=int(port), Scheme="http")
            super().__init__(*positional, **named)

    qcloud_cos.CosConfig = EmulatorConfig
    from coscmd import cos_cmd

    sys.argv = ["coscmd"] + args[3:]
    sys.exit(cos_cmd._main())


if __name__ == "__main__":
    main()
