"""组织与人员: staff registry and staffing norms (clause 五), joint meetings and their
follow-up tasks (clause 一, 四), district targets (clause 一(二))."""

from .meetings import JointMeeting, MeetingTask
from .staff import StaffingNorm, StaffMember
from .targets import DistrictTarget

__all__ = ["DistrictTarget", "JointMeeting", "MeetingTask", "StaffMember", "StaffingNorm"]
