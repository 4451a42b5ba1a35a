"""A faster read path for list serializers (docs/performance.md, "API throughput").

DRF's `Serializer.to_representation` reads every cell through `Field.get_attribute`, a generic
walk (mapping or attribute, a callable check, exception translation) that costs more than the
value itself: for a page of 50 estates × 27 fields it was about half of the request's CPU.
`FastRepresentation` compiles each readable field once per serializer instance into an
`operator.attrgetter` over its source and uses it when the source is a plain column or a
column across a to-one relation; anything else (source="*", methods, to-many, a primary-key
related field's PKOnlyObject, a missing related row) goes through DRF's own path for that
cell, so the output is the same.
"""

from __future__ import annotations

from collections import OrderedDict
from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from rest_framework.fields import SkipField
from rest_framework.relations import ManyRelatedField, PKOnlyObject, RelatedField


class FastRepresentation:
    """Mix into a ModelSerializer before it: `class S(FastRepresentation, ModelSerializer)`."""

    def _read_plan(self):
        plan = self.__dict__.get("_fast_read_plan")
        if plan is None:
            model = self.Meta.model
            plan = []
            for field in self._readable_fields:
                getter = None
                if self._plain_source(model, field):
                    getter = attrgetter(".".join(field.source_attrs))
                plan.append((field, field.field_name, getter, field.to_representation))
            self.__dict__["_fast_read_plan"] = plan
        return plan

    @staticmethod
    def _plain_source(model, field) -> bool:
        if isinstance(field, ManyRelatedField) or not field.source_attrs or field.source == "*":
            return False
        if isinstance(field, RelatedField) and field.use_pk_only_optimization():
            return False
        attrs = field.source_attrs
        meta = model._meta
        for attr in attrs[:-1]:  # every step before the last must be a to-one relation
            try:
                step = meta.get_field(attr)
            except FieldDoesNotExist:
                return False
            if not (step.is_relation and (step.many_to_one or step.one_to_one)) or step.auto_created:
                return False
            meta = step.related_model._meta
        try:
            last = meta.get_field(attrs[-1])
        except FieldDoesNotExist:
            return attrs[-1] in {f.attname for f in meta.concrete_fields}
        return last.concrete or (last.is_relation and last.many_to_one)

    def to_representation(self, instance):
        ret = OrderedDict()
        for field, name, getter, represent in self._read_plan():
            if getter is not None:
                try:
                    attribute = getter(instance)
                except (AttributeError, ObjectDoesNotExist):
                    pass  # a missing related row: DRF's path applies the field's default or null
                else:
                    if not callable(attribute):
                        ret[name] = None if attribute is None else represent(attribute)
                        continue
            try:  # DRF's own path
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check is None else represent(attribute)
        return ret
