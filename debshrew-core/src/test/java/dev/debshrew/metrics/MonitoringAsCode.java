package dev.debshrew.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the monitoring files in {@code config/} (the Grafana dashboard and the Prometheus alert
 * rules) and the Prometheus text exposition, and tells which metric names and labels the files use
 * that a scrape does not serve. Text-level PromQL reading: enough for the selectors, aggregation
 * clauses and templates these files use.
 */
final class MonitoringAsCode {

    static final Path DASHBOARD = Path.of("../config/grafana/debshrew-dashboard.json");
    static final Path ALERTS = Path.of("../config/prometheus/debshrew-alerts.yml");
    static final Path ALERT_TESTS = Path.of("../config/prometheus/debshrew-alerts.test.yml");

    /** Labels Prometheus adds to every scraped series (the target's), not served by the daemon. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "offset", "bool", "inf", "nan");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][\\w:]*)?\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("(\\w+)\\s*(?:=~|!~|!=|=)");
    private static final Pattern CLAUSE =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern IDENT = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][\\w:]*+)(?!\\s*\\()");
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][\\w:]*)(?:\\{(.*)})?\\s+\\S+");
    private static final Pattern SERVED_LABEL = Pattern.compile("(\\w+)=\"(?:[^\"\\\\]|\\\\.)*\"");

    private MonitoringAsCode() {
    }

    /** One PromQL expression, where it comes from, and the labels its templates name. */
    record Query(String where, String expr, Set<String> templateLabels) {
    }

    /** What a PromQL expression reads: metric names and label names. */
    record Usage(Set<String> metrics, Set<String> labels) {
    }

    /** Every {@code expr} of the dashboard's panels and its query variables, with the legend's labels. */
    static List<Query> dashboardQueries() throws IOException {
        JsonNode root = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<Query> out = new ArrayList<>();
        for (JsonNode panel : root.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.add(new Query("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                        target.path("expr").asText(), templateLabels(target.path("legendFormat").asText(),
                        "\\{\\{\\s*(\\w+)\\s*}}")));
            }
        }
        Pattern labelValues = Pattern.compile("label_values\\(\\s*([\\w:]+)\\s*,\\s*(\\w+)\\s*\\)");
        for (JsonNode variable : root.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                String q = variable.path("query").isTextual() ? variable.path("query").asText()
                        : variable.path("query").path("query").asText();
                Matcher m = labelValues.matcher(q);
                if (!m.matches()) {
                    throw new AssertionError("variable " + variable.path("name") + ": unsupported query " + q);
                }
                out.add(new Query("variable " + variable.path("name").asText(), m.group(1), Set.of(m.group(2))));
            }
        }
        return out;
    }

    /**
     * Every {@code expr} of the alert rules file, read line by line (plain or quoted scalars and
     * {@code >-} / {@code |} blocks), with the {@code $labels.x} of the rule's annotations.
     */
    static List<Query> alertQueries() throws IOException {
        List<String> lines = Files.readAllLines(ALERTS);
        Map<String, String> exprs = new LinkedHashMap<>();
        Map<String, Set<String>> labels = new LinkedHashMap<>();
        String alert = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher a = Pattern.compile("^\\s*- (?:alert|record): (\\S+)").matcher(line);
            if (a.find()) {
                alert = a.group(1);
                labels.put(alert, new TreeSet<>());
            }
            labels.getOrDefault(alert, new TreeSet<>()).addAll(templateLabels(line, "\\$labels\\.(\\w+)"));
            Matcher e = Pattern.compile("^(\\s*)expr:\\s*(.*)$").matcher(line);
            if (!e.find()) {
                continue;
            }
            String value = e.group(2).trim();
            if (value.matches("[>|][-+]?")) {
                StringBuilder block = new StringBuilder();
                int indent = e.group(1).length();
                while (i + 1 < lines.size() && (lines.get(i + 1).isBlank()
                        || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > indent)) {
                    block.append(' ').append(lines.get(++i).trim());
                }
                value = block.toString().trim();
            } else if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            exprs.put(alert, value);
        }
        List<Query> out = new ArrayList<>();
        exprs.forEach((name, expr) -> out.add(new Query("alert " + name, expr, labels.get(name))));
        return out;
    }

    private static Set<String> templateLabels(String text, String regex) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The metric names and label names {@code expr} reads. */
    static Usage usage(String expr) {
        Set<String> metrics = new TreeSet<>();
        Set<String> labels = new TreeSet<>();
        Matcher s = SELECTOR.matcher(expr);
        while (s.find()) {
            Matcher m = MATCHER.matcher(s.group(2).replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\""));
            while (m.find()) {
                labels.add(m.group(1));
            }
        }
        String rest = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"").replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ");
        Matcher c = CLAUSE.matcher(rest);
        while (c.find()) {
            for (String l : c.group(1).split(",")) {
                if (!l.isBlank()) {
                    labels.add(l.trim());
                }
            }
        }
        rest = CLAUSE.matcher(rest).replaceAll(" ");
        Matcher id = IDENT.matcher(rest);
        while (id.find()) {
            if (!KEYWORDS.contains(id.group(1).toLowerCase(java.util.Locale.ROOT))) {
                metrics.add(id.group(1));
            }
        }
        return new Usage(metrics, labels);
    }

    /** Sample name to the label names it is served with, from a Prometheus text exposition. */
    static Map<String, Set<String>> served(String exposition) {
        Map<String, Set<String>> out = new TreeMap<>();
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) {
            Set<String> labels = out.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            if (m.group(2) != null) {
                Matcher l = SERVED_LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.add(l.group(1));
                }
            }
        }
        return out;
    }

    /**
     * The problems of {@code queries} against {@code served}: a metric not served, or a label that
     * none of the query's metrics carries (nor Prometheus's target labels). Empty when all is well.
     */
    static List<String> problems(Collection<Query> queries, Map<String, Set<String>> served) {
        List<String> out = new ArrayList<>();
        for (Query q : queries) {
            Usage u = usage(q.expr());
            if (u.metrics().isEmpty()) {
                out.add(q.where() + ": no metric found in `" + q.expr() + "`");
            }
            Set<String> available = new LinkedHashSet<>(TARGET_LABELS);
            for (String metric : u.metrics()) {
                if (served.containsKey(metric)) {
                    available.addAll(served.get(metric));
                } else {
                    out.add(q.where() + ": metric " + metric + " is not served by /metrics");
                }
            }
            Set<String> used = new TreeSet<>(u.labels());
            used.addAll(q.templateLabels());
            for (String label : used) {
                if (!available.contains(label)) {
                    out.add(q.where() + ": label " + label + " is on none of " + u.metrics());
                }
            }
        }
        return out;
    }
}
