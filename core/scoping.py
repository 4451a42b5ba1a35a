"""One way to scope: `Model.objects.visible_to(user)`.

Every model that belongs to a place declares `scope_paths`: which lookup holds its district,
street, community and estate ids (indexed, denormalised columns, so the restriction is one
indexed filter at any scale). A user's role gives the level of their scope (spec/roles.md);
the restriction is a filter on the path of that level. Views, API viewsets, exports, dashboards
and counts all go through here; nothing outside this module decides who sees what. An object
outside a user's scope does not exist for that user (404).
"""

from __future__ import annotations

from django.db import models


class Level:
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    ASSIGNED = "assigned"  # an evaluator: the estates assigned to it


# From the finest unit up; a unit model may fall back to an ancestor level (see below).
UNIT_LEVELS = (Level.COMMUNITY, Level.STREET, Level.DISTRICT)


def unit_id(user, level: str):
    return getattr(user, f"{level}_id", None)


def restrict(queryset: models.QuerySet, user, for_write: bool = False) -> models.QuerySet:
    """The rows of `queryset` that `user` may see (or, with for_write, may change: the same
    scope, but without the city-wide reading some public registers allow)."""
    model = queryset.model
    paths: dict | None = getattr(model, "scope_paths", None)
    if paths is None:
        raise TypeError(f"{model.__name__} declares no scope_paths and cannot be scoped")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    draft = getattr(model, "scope_draft", None)
    if draft is not None:
        queryset = _without_others_drafts(queryset, user, draft, paths)
    level = user.scope_level
    if level == Level.CITY:
        return queryset
    if not for_write and getattr(model, "scope_public_read", False):
        # A public register (service firms: their business registration is public anyway).
        return queryset
    if level is None:
        return queryset.none()
    if level == Level.ASSIGNED:
        path = paths.get("estate")
        if not path:
            return queryset.none()
        return queryset.filter(**{f"{path}__in": user.assigned_estate_ids()})
    if level in paths:
        value = unit_id(user, level)
        return queryset.filter(**{paths[level]: value}) if value else queryset.none()
    # A model with no path at the user's level. Units (district, street, community) let users
    # see the units above their own (a street clerk sees its district): they declare
    # scope_ancestors_visible. Any other model is invisible rather than guessed at.
    if getattr(model, "scope_ancestors_visible", False):
        start = UNIT_LEVELS.index(level)
        for coarser in UNIT_LEVELS[start + 1 :]:
            if coarser in paths:
                value = unit_id(user, coarser)
                return queryset.filter(**{paths[coarser]: value}) if value else queryset.none()
    return queryset.none()


def _without_others_drafts(queryset, user, draft: dict, paths: dict):
    """A model whose rows start as drafts (草稿) declares `scope_draft` (the lookup that marks a
    draft, e.g. {"status": "draft"}) and a `created_by`: a draft belongs to its author and to the
    street office it was entered for (a colleague there may look it over) until it is submitted;
    nobody else sees it, whatever their level (a district reviewer, the third-party evaluator,
    the city)."""
    own = models.Q(created_by=user)
    street_path = paths.get("street")
    if street_path and user.scope_level == Level.STREET and getattr(user, "street_id", None):
        own |= models.Q(**{street_path: user.street_id})
    return queryset.exclude(models.Q(**draft) & ~own)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return restrict(self, user)

    def writable_by(self, user):
        """Rows within the user's scope for writing; whether the role may write this kind at
        all is accounts.rules' question."""
        return restrict(self, user, for_write=True)


# django-stubs reads from_queryset() only when assigned to a name; subclassing it directly is
# what migrations record, so the class stays as it is.
class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def scoped_models():
    """Every installed model that can be scoped, for the services that move a street's rows
    to another district and for the permission tests."""
    from django.apps import apps

    return [m for m in apps.get_models() if getattr(m, "scope_paths", None)]
