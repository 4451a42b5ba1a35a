"""Job handlers that exist only for the worker-fault tests; a test worker loads this module
with `--include tests.hardening.fault_handlers`."""

from core.jobs import register


class SimulatedFault(RuntimeError):
    pass


@register("test_always_fails")
def always_fails(job, report):
    report(1, 2, "模拟处理中……")
    raise SimulatedFault("模拟的故障：数据库连接中断")
