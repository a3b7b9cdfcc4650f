"""The error types and their hints (`cnnviz.errors`)."""

from cnnviz.errors import did_you_mean


def test_did_you_mean_names_the_near_misses_in_the_form_asked_or_nothing():
    assert did_you_mean("Conv2d", ["Conv2D", "Dense"]) == " Did you mean 'Conv2D'?"
    assert did_you_mean("zzz", ["Conv2D", "Dense"]) == ""
    assert did_you_mean(3, [1, 2, 3.5], form=" ({})") == ""  # numbers are compared as text
    many = did_you_mean("mnis", ["mnist", "emnist", "mnist"], n=3, show="tfds:{}".format)
    assert many == " Did you mean tfds:mnist, tfds:emnist?"  # each once, closest first
    assert did_you_mean("x" * 10_000 + "y", ["x" * 80]) == f" Did you mean {'x' * 80!r}?"
