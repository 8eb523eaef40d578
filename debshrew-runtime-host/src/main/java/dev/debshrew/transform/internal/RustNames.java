package dev.debshrew.transform.internal;

/**
 * Readable forms of the mangled Rust symbol names a module's name section holds: legacy
 * ({@code _ZN4core9panicking9panic_fmt17h0123456789abcdefE} becomes {@code core::panicking::panic_fmt})
 * and the common v0 paths ({@code _RNvNtCs1a_4core9panicking9panic_fmt} becomes the same; closures
 * and shims as {@code {closure}} / {@code {shim}}, the generic arguments of the outermost path as
 * {@code <..>}). Anything else (impl paths, nested generic arguments, back-references, punycode) is
 * returned unchanged: a name is never guessed.
 */
final class RustNames {

    private RustNames() {
    }

    /** The demangled form of {@code name}, or {@code name} itself. */
    static String demangle(String name) {
        try {
            if (name.startsWith("_ZN") && name.endsWith("E")) {
                String s = legacy(name);
                return s == null ? name : s;
            }
            if (name.startsWith("_R")) {
                V0 p = new V0(name, 2);
                while (p.pos < name.length() && Character.isDigit(name.charAt(p.pos))) {
                    p.pos++; // encoding version
                }
                // generic arguments of the outermost path are left out (they are not parsed)
                boolean generic = name.charAt(p.pos) == 'I';
                if (generic) {
                    p.pos++;
                }
                String s = p.path();
                return s == null ? name : generic ? s + "::<..>" : s;
            }
        } catch (RuntimeException e) {
            return name;
        }
        return name;
    }

    private static String legacy(String name) {
        StringBuilder sb = new StringBuilder();
        int i = 3;
        int end = name.length() - 1;
        while (i < end) {
            int start = i;
            while (i < end && Character.isDigit(name.charAt(i))) {
                i++;
            }
            if (start == i) {
                return null;
            }
            int len = Integer.parseInt(name.substring(start, i));
            if (i + len > end) {
                return null;
            }
            String part = name.substring(i, i + len);
            i += len;
            if (i == end && part.matches("h[0-9a-f]{16}")) {
                break;
            }
            if (part.startsWith("_$")) {
                part = part.substring(1);
            }
            sb.append(sb.length() == 0 ? "" : "::").append(part.replace("$LT$", "<").replace("$GT$", ">")
                    .replace("$RF$", "&").replace("$BP$", "*").replace("$C$", ",").replace("$u20$", " ")
                    .replace("..", "::"));
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** A parser of the supported subset of v0 paths. */
    private static final class V0 {
        private final String s;
        private int pos;

        V0(String s, int pos) {
            this.s = s;
            this.pos = pos;
        }

        /** {@code C <ident>} or {@code N <ns> <path> <ident>}; null for anything else. */
        String path() {
            char c = s.charAt(pos++);
            if (c == 'C') {
                return identifier();
            }
            if (c != 'N') {
                return null;
            }
            char ns = s.charAt(pos++);
            String parent = path();
            if (parent == null) {
                return null;
            }
            String ident = identifier();
            if (ident == null) {
                return null;
            }
            if (ns == 'C') {
                return parent + "::{closure}";
            }
            if (ns == 'S') {
                return parent + "::{shim}";
            }
            return ident.isEmpty() ? parent : parent + "::" + ident;
        }

        /** {@code [s <base62> _] <decimal> [_] <bytes>}; null for punycode. */
        private String identifier() {
            if (s.charAt(pos) == 's') {
                int close = s.indexOf('_', pos);
                if (close < 0) {
                    return null;
                }
                pos = close + 1;
            }
            if (s.charAt(pos) == 'u') {
                return null;
            }
            int start = pos;
            while (Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (start == pos) {
                return null;
            }
            int len = Integer.parseInt(s.substring(start, pos));
            if (s.charAt(pos) == '_') {
                pos++;
            }
            String ident = s.substring(pos, pos + len);
            pos += len;
            return ident;
        }
    }
}
