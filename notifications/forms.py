from django import forms

from .models import Delivery


class PreferencesForm(forms.Form):
    """One choice per kind of notice the person may receive."""

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups: dict[str, list[str]] = {}
        for kind, delivery in preferences:
            choices = [(Delivery.IMMEDIATE.value, Delivery.IMMEDIATE.label)]
            if kind.digestible:
                choices.append((Delivery.DIGEST.value, Delivery.DIGEST.label))
            if kind.optional:
                choices.append((Delivery.OFF.value, Delivery.OFF.label))
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label, choices=choices, initial=delivery, widget=forms.RadioSelect
            )
            self.groups.setdefault(kind.group, []).append(kind.key)

    def grouped(self):
        return [(group, [self[key] for key in keys]) for group, keys in self.groups.items()]
