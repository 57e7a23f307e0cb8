"""The starting words of the site pages, loaded by the migration and by `SitePage` look-ups that find
no row (a fresh database). Operators change them in the admin."""

ABOUT = """**{site}** is where the people, groups, organisations and public bodies of our area see who is
doing what, where — and join in.

## What you can do here
- **Find what is going on** near you on the [community map](/map/) and in the
  [directory of organisations](/organisations/) and [projects](/projects/).
- **Add what you know**: an activity, a community space, a new group, or a threat or cut to
  something people rely on. Anyone can suggest an entry; moderators check each one.
- **See who works with whom**: organisers run short, confidential [network questionnaires](/network/)
  and publish only what each person agreed to.
- **Find people near you who can help**, and say what you can share, on [your profile](/people/me/).

## Who runs it
{site} is run by and for the community networks of this area, on Square Mile, free and open-source
software. Questions, ideas and corrections are welcome: see [contact](/contact/).

## Taking part
[Join](/accounts/signup/) with an e-mail address, then set "my square mile" — the area you care about.
You choose who sees each part of your profile.
"""

PRIVACY = """This notice says what {site} stores about you, who can see it, and what you can do about it.

## What we store
- **Your account**: your e-mail address and a securely hashed password. Your e-mail address is never
  shown to other people.
- **Your profile**, if you fill it in: a display name, "my square mile" (a point and a radius), skills,
  resources and how willing you are to share. **You choose who may see each part** (everyone, members,
  or only you).
- **What you add**: map entries, organisations and projects, with their history (who changed what, and
  when), so that moderators can check changes.
- **Network questionnaire answers**: who you work with and what you can share. These are
  **confidential to the organisers of that questionnaire**. Anything shown publicly shows only what you
  agreed to when you answered (by name, anonymously, or left out), and anonymous people are never shown
  in a group small enough to tell who they are.
- **Technical records**: your web browser keeps a session cookie while you are signed in and a security
  cookie that protects forms. We use no advertising or tracking cookies and load nothing from other
  companies, except map tiles.

## Who sees it
Moderators and administrators of {site} can see what is needed to keep it running and safe. Nothing is
sold or shared with anyone else.

## Your rights
- **Download everything** we hold about you as a file: [download my data](/people/me/data.json)
  (when signed in).
- **Delete your account**: [delete my account](/people/me/delete/). Your profile and account go at once;
  entries you added stay without your name unless you ask us to remove them.
- Ask us to correct or remove anything: {contact}.
"""

ACCESSIBILITY = """{site} is meant to be used by everyone, on a phone or a computer, with a keyboard, a
screen reader or a magnifier.

## What we do
- Every page is tested with automated accessibility checks (axe-core) and must have no serious or
  critical problem before a change is accepted.
- Pages work on small screens and can be zoomed to 400%.
- The community map has a [list view](/map/list/) that works with a keyboard and without JavaScript.
- Network maps come with a list of the people and links they show.

## What may not work well
- Maps drawn on the screen are hard to use without sight; use the list views instead.
- Printable questionnaires and posters are images of text in some places.

## Tell us
If something is hard to use, tell us at {contact} and say which page. We aim to reply within
10 working days.

This statement follows the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA.
"""

CONTACT = """The people who run {site} read every message.

- **E-mail**: {contact}
- **Something wrong on the map or in the directory?** Use "Report" or "Suggest a change" on its page,
  or tell us by e-mail.
- **Privacy questions or requests**: see the [privacy notice](/privacy/).
"""

PAGES = {
    "about": ("About", ABOUT),
    "privacy": ("Privacy notice", PRIVACY),
    "accessibility": ("Accessibility statement", ACCESSIBILITY),
    "contact": ("Contact", CONTACT),
}
