"""Forms of the circles. They check the shape of the input only; the services
in services.py decide what is allowed."""

from django import forms

from people.validators import VisibleTextFormMixin

from .services import POST_BODY_MAX, REASON_MAX, REPLY_BODY_MAX, TITLE_MAX


class PostForm(VisibleTextFormMixin, forms.Form):
    title = forms.CharField(
        label="Title", max_length=TITLE_MAX,
        error_messages={"required": "Give your post a title.",
                        "max_length": f"A title can be {TITLE_MAX} characters at most."},
    )  # fmt: skip
    body = forms.CharField(
        label="Your post", max_length=POST_BODY_MAX, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="An experience, a question, something that worked. Line breaks are kept.",
        error_messages={"required": "Write something in your post.",
                        "max_length": f"A post can be {POST_BODY_MAX:,} characters at most."},
    )  # fmt: skip

    def __init__(self, *args, channels=(), channel_required: bool = False, **kwargs):
        """`channels`: the co-sponsoring networks whose channel the person may post in
        (none: the field is left out); a network's lead must choose one."""
        super().__init__(*args, **kwargs)
        if channels:
            choices = [(str(n.pk), f"The {n.name} channel") for n in channels]
            if not channel_required:
                choices.insert(0, ("", "The whole circle"))
            self.fields["network"] = forms.TypedChoiceField(
                label="Where", choices=choices, coerce=int, empty_value=None, required=channel_required,
                initial=choices[0][0], error_messages={"required": "Choose your network's channel.",
                                                       "invalid_choice": "Choose one of the channels listed."},
            )  # fmt: skip


class ReplyForm(VisibleTextFormMixin, forms.Form):
    body = forms.CharField(
        label="Your reply", max_length=REPLY_BODY_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write something in your reply.",
                        "max_length": f"A reply can be {REPLY_BODY_MAX:,} characters at most."},
    )  # fmt: skip


class HideForm(VisibleTextFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason (its author reads it)", max_length=REASON_MAX,
        error_messages={"required": "Say why it is hidden: its author will read the reason.",
                        "max_length": f"Keep the reason under {REASON_MAX} characters."},
    )  # fmt: skip
