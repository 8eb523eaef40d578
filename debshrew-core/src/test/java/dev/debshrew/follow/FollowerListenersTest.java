package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FollowerListenersTest {

    /**
     * Every event of {@link FollowerListener} reaches every listener: a composite that silently
     * dropped {@code heartbeat()} made /health call a follower waiting for a sink wedged.
     */
    @Test
    void everyFollowerEventIsPassedToEveryListener() throws Exception {
        List<Set<String>> received = new ArrayList<>();
        List<FollowerListener> recorders = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Set<String> names = new TreeSet<>();
            received.add(names);
            recorders.add((FollowerListener) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {FollowerListener.class}, (proxy, m, args) -> {
                        names.add(m.getName());
                        return null;
                    }));
        }
        FollowerListener all = FollowerListeners.of(recorders.toArray(FollowerListener[]::new));
        Set<String> events = new TreeSet<>();
        for (Method m : FollowerListener.class.getMethods()) {
            if (m.getDeclaringClass() != FollowerListener.class || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            events.add(m.getName());
            m.invoke(all, Arrays.stream(m.getParameterTypes()).map(FollowerListenersTest::sample).toArray());
        }
        assertThat(events).contains("heartbeat", "blockCommitted", "sinkDown");
        assertThat(received).allSatisfy(r -> assertThat(r).isEqualTo(events));
    }

    private static Object sample(Class<?> type) {
        if (type == long.class) {
            return 1L;
        }
        if (type == int.class) {
            return 1;
        }
        if (type == boolean.class) {
            return true;
        }
        return type == String.class ? "x" : null;
    }
}
