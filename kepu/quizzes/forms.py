from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .importing import LETTERS
from .models import Question, Quiz

OPTION_FIELDS = 6
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class QuestionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", "—"), *settings.LANGUAGES]
    )
    retired = forms.BooleanField(label=_("Show retired questions"), required=False)

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "—")] + [(t, t) for t in topics]


class QuestionForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Question bank of"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    topic = forms.CharField(label=_("Topic"), max_length=60, required=False)
    difficulty = forms.TypedChoiceField(
        label=_("Difficulty"),
        choices=Question.Difficulty.choices,
        coerce=int,
        initial=Question.Difficulty.MEDIUM,
    )
    stem = forms.CharField(
        label=_("Question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        for i in range(OPTION_FIELDS):
            self.fields[f"option_{i}"] = forms.CharField(
                label=_("Option %(letter)s") % {"letter": LETTERS[i]},
                max_length=300,
                required=False,
                help_text=_("Not needed for true or false.") if i == 0 else "",
            )
        self.fields["correct"] = forms.MultipleChoiceField(
            label=_("Correct answer"),
            choices=[(str(i), LETTERS[i]) for i in range(OPTION_FIELDS)],
            widget=forms.CheckboxSelectMultiple,
            help_text=_("For true or false: A is true, B is false."),
        )
        self.fields["explanation"] = forms.CharField(
            label=_("Explanation"),
            max_length=2000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        initial = {
            "organisation": question.organisation_id,
            "kind": question.kind,
            "language": question.language,
            "topic": question.topic,
            "difficulty": question.difficulty,
            "stem": question.stem,
            "explanation": question.explanation,
            "correct": [
                str(i) for i, o in enumerate(question.options) if o["id"] in question.correct
            ],
        }
        for i, option in enumerate(question.options[:OPTION_FIELDS]):
            initial[f"option_{i}"] = option["text"]
        return initial

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "language": data["language"],
            "topic": data["topic"],
            "difficulty": data["difficulty"],
            "stem": data["stem"],
            "options": [data.get(f"option_{i}") or "" for i in range(OPTION_FIELDS)],
            "correct": [int(c) for c in data["correct"]],
            "explanation": data["explanation"],
        }


class QuestionImportForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Question bank of"), queryset=None)
    file = forms.FileField(label=_("Filled template (XLSX)"))

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class QuizForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organiser"),
        queryset=None,
        help_text=_("Its question bank supplies the questions."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    rules = forms.CharField(
        label=_("Rules"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DATETIME_WIDGET)
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DATETIME_WIDGET)
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit per attempt (minutes)"), required=False, min_value=1, max_value=600
    )
    seconds_per_question = forms.IntegerField(
        label=_("Or time limit per question (seconds)"),
        required=False,
        min_value=5,
        max_value=3600,
        help_text=_(
            "Each question is then shown on its own with this countdown, and people cannot go "
            "back to an earlier one."
        ),
    )
    question_count = forms.IntegerField(
        label=_("Number of questions"), min_value=1, max_value=200, initial=10
    )
    mix = forms.CharField(
        label=_("Mix by topic and difficulty"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One line per part: topic; difficulty (1 easy, 2 medium, 3 hard, or empty); number "
            "of questions. Leave empty to draw from the whole bank."
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    attempts_policy = forms.ChoiceField(label=_("Attempts allowed"), choices=Quiz.Attempts.choices)
    max_attempts = forms.IntegerField(
        label=_("Number of attempts"), min_value=1, max_value=100, initial=1
    )
    pass_mark = forms.IntegerField(
        label=_("Pass mark (score out of 100)"), min_value=0, max_value=100, initial=60
    )
    eligible_regions = forms.ModelMultipleChoiceField(
        label=_("Only people of these regions"), queryset=None, required=False
    )
    eligible_organisations = forms.ModelMultipleChoiceField(
        label=_("Only people of these organisations"), queryset=None, required=False
    )
    show_answers = forms.BooleanField(
        label=_("Show answers and explanations after submitting"), required=False, initial=True
    )
    is_practice = forms.BooleanField(label=_("Practice mode (not scored)"), required=False)
    prize_threshold = forms.IntegerField(
        label=_("Score that earns a chance in the prize draw"),
        required=False,
        min_value=0,
        max_value=100,
    )

    def __init__(self, *args, organisations=None, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["eligible_organisations"].queryset = organisations
        self.fields["eligible_regions"].queryset = regions

    def clean_mix(self) -> list[dict]:
        rules = []
        for number, line in enumerate((self.cleaned_data.get("mix") or "").splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("；", ";").split(";")]
            if len(parts) != 3 or not parts[2].isdigit() or parts[1] not in ("", "1", "2", "3"):
                raise forms.ValidationError(
                    _("Line %(number)d: write topic; difficulty; number.") % {"number": number}
                )
            rules.append(
                {
                    "topic": parts[0],
                    "difficulty": int(parts[1]) if parts[1] else None,
                    "count": int(parts[2]),
                }  # fmt: skip
            )
        return rules

    @classmethod
    def initial_for(cls, quiz: Quiz) -> dict:
        mix = "\n".join(
            f"{r.get('topic') or ''}; {r.get('difficulty') or ''}; {r['count']}" for r in quiz.mix
        )
        return {
            "organisation": quiz.organisation_id,
            "title": quiz.title,
            "rules": quiz.rules,
            "opens_at": quiz.opens_at,
            "closes_at": quiz.closes_at,
            "time_limit_minutes": (quiz.time_limit_seconds or 0) // 60 or None,
            "seconds_per_question": quiz.seconds_per_question,
            "question_count": quiz.question_count,
            "mix": mix,
            "languages": quiz.languages,
            "attempts_policy": quiz.attempts_policy,
            "max_attempts": quiz.max_attempts,
            "pass_mark": quiz.pass_mark,
            "eligible_regions": quiz.eligible_region_ids,
            "eligible_organisations": quiz.eligible_organisation_ids,
            "show_answers": quiz.show_answers,
            "is_practice": quiz.is_practice,
            "prize_threshold": quiz.prize_threshold,
        }

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        minutes = data.pop("time_limit_minutes")
        data["time_limit_seconds"] = minutes * 60 if minutes else None
        data["regions"] = list(data.pop("eligible_regions"))
        data["organisations"] = list(data.pop("eligible_organisations"))
        data.pop("organisation")
        return data


class DrawForm(forms.Form):
    winners_count = forms.IntegerField(
        label=_("Number of winners"), min_value=1, max_value=10_000, initial=10
    )


class StartForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Your region"), queryset=None, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Your school or organisation"), queryset=None, required=False
    )

    def __init__(self, *args, regions=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["organisation"].queryset = organisations
