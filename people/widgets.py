"""The widget of the shared skills and topics list."""

from django import forms


class TagPicker(forms.CheckboxSelectMultiple):
    """Checkboxes that static/js/picker.js gives a filter box ("Find skills") once
    the page has loaded; without the script they stay plain checkboxes. `noun`
    names the list in the box's label."""

    def __init__(self, noun: str, attrs: dict | None = None) -> None:
        super().__init__(attrs={**(attrs or {}), "data-tag-picker": noun})
