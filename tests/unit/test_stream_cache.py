from shared.eventstore.stream_cache import StreamCache


def test_remembers_the_longest_known_prefix_of_a_stream():
    cache = StreamCache()
    cache.remember("campaign-1", ("created", "opened"))
    cache.remember("campaign-1", ("created",))
    assert cache.prefix("campaign-1") == ("created", "opened")


def test_an_unknown_stream_has_an_empty_prefix():
    assert StreamCache().prefix("student-9") == ()


def test_forgets_the_least_recently_used_stream_beyond_its_bound():
    cache = StreamCache(max_streams=2)
    cache.remember("a", (1,))
    cache.remember("b", (1,))
    cache.prefix("a")
    cache.remember("c", (1,))
    assert (cache.prefix("a"), cache.prefix("b"), cache.prefix("c")) == ((1,), (), (1,))
