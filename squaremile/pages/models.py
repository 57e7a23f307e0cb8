"""The pages every site is expected to have (about, privacy, accessibility, contact), whose words the
operator edits in the admin. Each starts with a sensible text written for a Square Mile instance."""

from django.db import models


class SitePage(models.Model):
    class Slug(models.TextChoices):
        ABOUT = "about", "About"
        PRIVACY = "privacy", "Privacy notice"
        ACCESSIBILITY = "accessibility", "Accessibility statement"
        CONTACT = "contact", "Contact"

    slug = models.SlugField(max_length=30, unique=True, choices=Slug.choices)
    title = models.CharField(max_length=120)
    body = models.TextField(
        help_text="Markdown. {site} is replaced by the site's name and {contact} by its contact e-mail address."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.title
