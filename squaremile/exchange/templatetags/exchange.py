from django import template

from squaremile.exchange.matching import miles as miles_words

register = template.Library()


@register.filter
def miles(distance_m):
    return miles_words(distance_m)


@register.filter
def percent_of(value, total):
    try:
        return max(2, round(100 * float(value) / float(total))) if total else 0
    except (TypeError, ValueError, ZeroDivisionError):
        return 0
