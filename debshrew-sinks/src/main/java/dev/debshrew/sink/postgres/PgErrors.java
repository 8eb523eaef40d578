package dev.debshrew.sink.postgres;

import dev.debshrew.sink.SinkException;
import dev.debshrew.util.Secrets;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Turns JDBC failures of the PostgreSQL sink into {@link SinkException}s, deciding whether a retry
 * of the same block (or of {@code open()}) may succeed.
 *
 * <p>Retriable: connection failures (SQLSTATE class 08: refused, lost, half-open past
 * {@code socketTimeout}), transaction rollbacks (40: serialization failure, deadlock), insufficient
 * resources (53), operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 the
 * server is starting or restarting, 57014 cancelled by {@code statement_timeout}) and 55P03
 * ({@code lock_timeout}). Everything else (bad credentials 28, missing database 3D000, permission
 * denied 42501, data errors 22, missing tables 42P01, ...) needs an operator and is not retriable.
 */
final class PgErrors {

    private PgErrors() {
    }

    /** A sink exception {@code "<what> failed: <message> (SQLSTATE x)"}, credentials scrubbed. */
    static SinkException sinkException(String what, SQLException e) {
        String sqlState = e.getSQLState();
        boolean retriable = isRetriable(e);
        return new SinkException(Secrets.scrub(what + " failed: " + e.getMessage()
                + (sqlState != null ? " (SQLSTATE " + sqlState + ")" : "")
                + (retriable ? "; transaction rolled back, retry the block" : "")), e, retriable);
    }

    /** Whether a retry may succeed (see the class comment). */
    static boolean isRetriable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String st = s.getSQLState();
                if (st.startsWith("08") || st.startsWith("40") || st.startsWith("53") || st.startsWith("57P")
                        || st.equals("57014") || st.equals("55P03")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
