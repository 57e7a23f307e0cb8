from django.http import HttpResponse


def map_page(request):
    return HttpResponse("")


def entry_list(request):
    return HttpResponse("")


def entry_detail(request, pk):
    return HttpResponse("")
