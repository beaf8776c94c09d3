package dev.healthgate.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Random test input from a fixed seed, for property-style tests: each try draws from its own seed, which
 * the failing assertion names, so a failure is reproduced by that seed alone. (jqwik, the obvious library
 * for this, asks in its own output that AI agents do not use it; this project's tests are partly written
 * by such agents, so they honour that.)
 */
public final class Gen {

    private final Random random;

    public Gen(long seed) {
        this.random = new Random(seed);
    }

    /** An int in {@code [min, max]}. */
    public int between(int min, int max) {
        return min + random.nextInt(max - min + 1);
    }

    public boolean chance(double p) {
        return random.nextDouble() < p;
    }

    @SafeVarargs
    public final <T> T of(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** One of the given generators, chosen at random, applied. */
    @SafeVarargs
    public final <T> T oneOf(Function<Gen, T>... generators) {
        return generators[random.nextInt(generators.length)].apply(this);
    }

    /** A string of {@code [0, maxLength]} characters from {@code from} to {@code to}. */
    public String string(char from, char to, int minLength, int maxLength) {
        int n = between(minLength, maxLength);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append((char) between(from, to));
        }
        return s.toString();
    }

    /** A string of any characters (control, non-ASCII, surrogate-free) up to {@code maxLength}. */
    public String anyString(int maxLength) {
        int n = between(0, maxLength);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(3);
            s.append((char) (kind == 0 ? between(0, 0x1f) : kind == 1 ? between(' ', '~') : between(0xa0, 0xd7ff)));
        }
        return s.toString();
    }

    public <T> List<T> list(int min, int max, Function<Gen, T> element) {
        int n = between(min, max);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.apply(this));
        }
        return out;
    }

    public int nextInt() {
        return random.nextInt();
    }

    public long nextLong() {
        return random.nextLong();
    }
}
