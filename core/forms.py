"""Form helpers shared by the apps."""

from __future__ import annotations

from django import forms


class CarrierFormMixin:
    """A form that only carries the values to a service, which holds the rules and their Chinese
    messages: no field is required here, and every widget gets its Bootstrap class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.error_messages["invalid_choice"] = "请选择有效的选项。"
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
