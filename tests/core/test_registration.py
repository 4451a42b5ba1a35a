"""Every app registers its job handlers, importers and exports in its AppConfig.ready(), not as
a side effect of importing a module: a worker or a command that never loads the URLconf (nor a
page's view) still runs every kind of job."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

PROBE = """
import json, django
django.setup()
from core.exports import EXPORTS
from core.imports.jobs import REGISTRY
from core.jobs import HANDLERS
print(json.dumps({"handlers": sorted(HANDLERS), "importers": sorted(REGISTRY), "exports": sorted(EXPORTS)}))
"""


def test_a_bare_setup_registers_every_kind_of_job():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"estates", "disputes", "repairs", "inspections", "fee_rates"} <= set(found["importers"])
    assert {"disputes", "repairs", "staffing_compliance", "unit_assessment"} <= set(found["exports"])
    expected = {
        "export_estates",  # the registry's list: once registered only when its view was imported
        "export_history",
        "export_allocations",
        "export_results",
        "export_inspections",
        "export_deviation",
    }
    expected |= {f"import_{kind}" for kind in found["importers"]} | {f"export_{name}" for name in found["exports"]}
    assert expected <= set(found["handlers"]), expected - set(found["handlers"])
