"""install.sh on the machines a newcomer has: an old Python, only `python3`, a system Python
that refuses pip (PEP 668), a user without sudo, a user with sudo, and root.

Each test runs a copy of install.sh in its own folder with a PATH that holds only a few real
tools and fakes for python3, id, sudo, apt-get, apt-cache and dpkg-query, so nothing is
installed on this machine and no network is used. The fakes write their calls to calls.log.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

INSTALL_SH = ROOT / "install.sh"
REAL_TOOLS = ["bash", "env", "dirname", "grep", "rm", "mkdir", "mktemp", "tail", "sleep", "cat", "wc", "sed", "head", "true"]
PDF_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation shared-mime-info"
PY_MINOR = f"{sys.version_info.major}.{sys.version_info.minor}"


def _script(path: Path, text: str) -> None:
    path.write_text("#!/bin/bash\n" + text, encoding="utf-8")
    path.chmod(0o755)


def _base_python() -> str:
    """The interpreter behind this one (the system Python when the tests run in .venv)."""
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


class Machine:
    """A project folder with install.sh and a bin/ folder that is the whole PATH."""

    def __init__(self, tmp_path: Path, *, uid: int = 1000, sudo: str | None = None, python3: str | None = "real",
                 ensurepip: bool = True):
        self.root = tmp_path
        self.project = tmp_path / "project"
        self.bin = tmp_path / "bin"
        self.calls = tmp_path / "calls.log"
        self.project.mkdir()
        self.bin.mkdir()
        shutil.copy(INSTALL_SH, self.project / "install.sh")
        for tool in REAL_TOOLS:
            found = shutil.which(tool)
            assert found, f"{tool} is needed to run install.sh"
            (self.bin / tool).symlink_to(found)
        log = f'echo "${{0##*/}} $*" >> {self.calls}\n'
        _script(self.bin / "id", f'if [ "$1" = -u ]; then echo {uid}; else exec {shutil.which("id")} "$@"; fi\n')
        _script(self.bin / "apt-get", log)
        _script(self.bin / "apt-cache", "exit 0\n")          # every package exists in the archive
        _script(self.bin / "dpkg-query", "exit 1\n")        # and none is installed
        if sudo == "passwordless":
            _script(self.bin / "sudo", log + 'if [ "$1" = -n ]; then shift; fi\nexec "$@"\n')
        elif sudo == "password":
            _script(self.bin / "sudo", log + 'echo "sudo: a password is required" >&2\nexit 1\n')
        if python3 == "real":
            block = "" if ensurepip else 'case "$*" in *ensurepip*) exit 1 ;; esac\n'
            _script(self.bin / "python3", block + f'exec {_base_python()} "$@"\n')
        elif python3 is not None:
            _script(self.bin / "python3", python3)

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        environment = {"PATH": str(self.bin), "HOME": str(self.root), "LANG": "C.UTF-8", **env}
        return subprocess.run(["bash", "install.sh", *args], cwd=self.project, env=environment,
                              capture_output=True, text=True, timeout=120)

    def apt_calls(self) -> list[str]:
        return self.calls.read_text(encoding="utf-8").splitlines() if self.calls.exists() else []


def test_install_sh_passes_shellcheck():
    """shellcheck is installed by `install.sh --test` in CI; here it must be present too."""
    if not shutil.which("shellcheck"):
        pytest.fail("shellcheck ontbreekt: sudo apt-get install shellcheck")
    result = subprocess.run(["shellcheck", str(INSTALL_SH), str(ROOT / ".ci" / "run")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_python_older_than_311_is_refused_with_one_dutch_line(tmp_path):
    machine = Machine(tmp_path, python3='echo 3.10.12\n')
    result = machine.run()
    assert result.returncode == 1
    python3 = machine.bin / "python3"
    assert result.stderr == (
        f"Fout: klachten heeft Python 3.11 of nieuwer nodig, maar {python3} is 3.10.12; installeer een nieuwere "
        "(Ubuntu 22.04: 'sudo add-apt-repository ppa:deadsnakes/ppa && sudo apt-get install python3.12-venv'; "
        "elders: 'uv python install 3.12' of pyenv) en draai daarna 'KLACHTEN_PYTHON=python3.12 bash install.sh'.\n")
    assert result.stdout == ""
    assert machine.apt_calls() == []
    assert not (machine.project / ".venv").exists()


def test_no_python_at_all(tmp_path):
    machine = Machine(tmp_path, python3=None)
    result = machine.run()
    assert result.returncode == 1
    assert result.stderr == ("Fout: Python 3 ontbreekt; installeer het met 'sudo apt-get install python3 python3-venv' "
                             "en draai dit script opnieuw.\n")
    assert machine.apt_calls() == []


def test_no_python_at_all_as_root_installs_it(tmp_path):
    """A fresh minimal Debian (as in CI) has no Python: root installs it with apt first."""
    machine = Machine(tmp_path, uid=0, python3=None)
    result = machine.run()
    assert result.stdout.splitlines()[0] == "Python ontbreekt; installeren met apt-get (bezig): python3 python3-venv"
    apt = "apt-get -o DPkg::Lock::Timeout=300"
    assert machine.apt_calls()[:2] == [f"{apt} update -qq",
                                       f"{apt} install -y -qq --no-install-recommends python3 python3-venv"]
    # The fake apt-get installed nothing, so it stops there, in Dutch.
    assert result.returncode == 1
    assert result.stderr.startswith("Fout: Python 3 ontbreekt;")


def test_only_python3_exists(tmp_path):
    """Debian ships `python3` but no `python`; the check passes and changes nothing."""
    machine = Machine(tmp_path)
    assert not (machine.bin / "python").exists()
    result = machine.run("--controleer")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"Python {sys.version.split()[0]} gevonden ({machine.bin / 'python3'})."
    assert result.stdout.splitlines()[-1] == "Controle klaar; er is niets veranderd."
    assert machine.apt_calls() == []
    assert not (machine.project / ".venv").exists()


@pytest.mark.parametrize("sudo", [None, "password"])
def test_user_without_sudo_is_told_what_to_install(tmp_path, sudo):
    """No apt-get (so no lock error); one Dutch line names every missing package; the venv
    package is required, so the run stops with one more Dutch line."""
    machine = Machine(tmp_path, sudo=sudo, ensurepip=False)
    result = machine.run("--test")
    assert result.returncode == 1
    packages = f"python{PY_MINOR}-venv {PDF_PACKAGES} chromium poppler-utils nodejs npm shellcheck systemd"
    assert result.stderr.splitlines() == [
        f"Let op: ontbrekende systeempakketten: {packages}; zonder root of sudo zonder wachtwoord installeert dit "
        f"script ze niet, vraag de beheerder: sudo apt-get install {packages}",
        f"Fout: python{PY_MINOR}-venv ontbreekt, nodig voor de virtuele omgeving; installeer het met "
        f"'sudo apt-get install python{PY_MINOR}-venv' en draai dit script opnieuw.",
    ]
    assert not any(call.startswith("apt-get") for call in machine.apt_calls())
    assert "lock" not in result.stdout + result.stderr


@pytest.mark.parametrize(("uid", "sudo", "prefix"), [(0, None, ""), (1000, "passwordless", "sudo env")])
def test_root_or_sudo_installs_missing_packages_with_apt(tmp_path, uid, sudo, prefix):
    machine = Machine(tmp_path, uid=uid, sudo=sudo, ensurepip=False)
    result = machine.run()
    apt = "apt-get -o DPkg::Lock::Timeout=300"
    calls = [c for c in machine.apt_calls() if c.startswith("apt-get")]
    assert calls == [f"{apt} update -qq",
                     f"{apt} install -y -qq --no-install-recommends python{PY_MINOR}-venv {PDF_PACKAGES}"]
    if sudo:
        assert "sudo -n true" in machine.apt_calls()
        assert f"sudo env DEBIAN_FRONTEND=noninteractive {calls[1]}" in machine.apt_calls()
    assert f"Systeempakketten installeren met apt-get (bezig): python{PY_MINOR}-venv {PDF_PACKAGES}" in result.stdout
    # The fake apt-get installed nothing, so the venv module is still missing: stop, in Dutch.
    assert result.returncode == 1
    assert result.stderr.startswith(f"Fout: python{PY_MINOR}-venv ontbreekt")


def test_check_only_changes_nothing(tmp_path):
    machine = Machine(tmp_path, uid=0, ensurepip=False)
    result = machine.run("--controleer", "--test")
    assert result.returncode == 0, result.stderr
    assert (f"Systeempakketten: zou met apt-get installeren (root): python{PY_MINOR}-venv {PDF_PACKAGES} "
            "chromium poppler-utils nodejs npm shellcheck systemd") in result.stdout
    assert machine.apt_calls() == []


def test_unknown_option(tmp_path):
    result = Machine(tmp_path).run("--tset")
    assert result.returncode == 2
    assert result.stderr == "Fout: onbekende optie '--tset'. Gebruik: bash install.sh [--test] [--controleer]\n"


# --- A full run with an externally managed Python ------------------------------------------------

STUB_BACKEND = '''\
"""A build backend for the stub project: one module and a console script, no network."""
import base64, hashlib, os, zipfile

DIST = "klachten-0.dist-info"


def _wheel(wheel_directory, files):
    files = dict(files)
    files[DIST + "/METADATA"] = "Metadata-Version: 2.1\\nName: klachten\\nVersion: 0\\n"
    files[DIST + "/WHEEL"] = "Wheel-Version: 1.0\\nGenerator: stub\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    files[DIST + "/entry_points.txt"] = "[console_scripts]\\nklachten = klachten_stub:main\\n"
    name = "klachten-0-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, text in files.items():
            data = text.encode()
            wheel.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(DIST + "/RECORD,,")
        wheel.writestr(DIST + "/RECORD", "\\n".join(record) + "\\n")
    return name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open("klachten_stub.py", encoding="utf-8") as f:
        return _wheel(wheel_directory, {"klachten_stub.py": f.read()})


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {"klachten_stub.pth": os.getcwd() + "\\n"})
'''


def _externally_managed_python(where: Path) -> Path:
    """A throwaway copy of the base interpreter (not a venv) whose stdlib has the PEP 668 marker."""
    base = _base_python()
    stdlib = Path(subprocess.run([base, "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    (where / "bin").mkdir(parents=True)
    lib = where / "lib" / stdlib.name
    lib.mkdir(parents=True)
    for entry in stdlib.iterdir():
        if entry.name != "EXTERNALLY-MANAGED":
            (lib / entry.name).symlink_to(entry)
    (lib / "EXTERNALLY-MANAGED").write_text("[externally-managed]\nError=use a venv\n", encoding="utf-8")
    python = where / "bin" / Path(base).name
    shutil.copy2(base, python)
    return python


def test_externally_managed_python_installs_into_venv_and_again(tmp_path):
    machine = Machine(tmp_path, python3=None)
    python = _externally_managed_python(tmp_path / "py")
    facts = subprocess.run([str(python), "-c", "import sys, sysconfig; print(sys.prefix == sys.base_prefix); "
                            "print(sysconfig.get_path('stdlib'))"], capture_output=True, text=True, check=True)
    not_a_venv, stdlib = facts.stdout.split()
    assert not_a_venv == "True" and (Path(stdlib) / "EXTERNALLY-MANAGED").is_file(), "pip would refuse this Python"
    (machine.bin / "python3").symlink_to(python)
    (machine.project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "stub_backend"\nbackend-path = ["."]\n', encoding="utf-8")
    (machine.project / "stub_backend.py").write_text(STUB_BACKEND, encoding="utf-8")
    (machine.project / "klachten_stub.py").write_text("def main():\n    print('klachten werkt')\n", encoding="utf-8")

    result = machine.run(PIP_NO_INDEX="1")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Python {sys.version.split()[0]} gevonden ({machine.bin / 'python3'})."
    assert lines[1] == f"Virtuele omgeving .venv maken met Python {sys.version.split()[0]}."
    assert lines[2].startswith("Python-pakketten installeren in .venv (bezig")
    assert lines[3].startswith("  klaar in ")
    assert lines[-1].startswith("Klaar in ") and lines[-1].endswith("Probeer: .venv/bin/klachten nachtrun --droog")
    # Without sudo the PDF libraries are named, not installed, and the run carries on.
    assert result.stderr.startswith(f"Let op: ontbrekende systeempakketten: {PDF_PACKAGES};")
    assert not any(call.startswith("apt-get") for call in machine.apt_calls())
    klachten = subprocess.run([str(machine.project / ".venv" / "bin" / "klachten")], capture_output=True, text=True)
    assert klachten.stdout == "klachten werkt\n"

    again = machine.run(PIP_NO_INDEX="1")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"Virtuele omgeving .venv bestaat al (Python {sys.version.split()[0]})." in again.stdout


def test_a_venv_folder_that_is_not_a_venv_is_never_removed(tmp_path):
    machine = Machine(tmp_path, uid=0)
    (machine.project / ".venv" / "bin").mkdir(parents=True)
    result = machine.run()
    assert result.returncode == 1
    assert result.stderr.endswith("Fout: .venv bestaat maar is geen virtuele omgeving; verplaats of verwijder het "
                                  "en draai dit script opnieuw.\n")
    assert (machine.project / ".venv" / "bin").is_dir()
