package dev.debshrew.transform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Demangling of the Rust symbol names found in name sections (the v0 ones come from a real rustc build). */
class RustNamesTest {

    @Test
    void legacyNamesLoseTheirHash() {
        assertThat(RustNames.demangle("_ZN4core9panicking9panic_fmt17h0123456789abcdefE"))
                .isEqualTo("core::panicking::panic_fmt");
        assertThat(RustNames.demangle("_ZN3fooE")).isEqualTo("foo");
        assertThat(RustNames.demangle("_ZN3std4time10SystemTime3now17hfedcba9876543210E"))
                .isEqualTo("std::time::SystemTime::now");
        assertThat(RustNames.demangle("_ZN60_$LT$alloc..string..String$u20$as$u20$core..fmt..Display$GT$3fmt17h0123456789abcdefE"))
                .isEqualTo("<alloc::string::String as core::fmt::Display>::fmt");
    }

    @Test
    void v0PathsClosuresAndOuterGenerics() {
        assertThat(RustNames.demangle("_RNvNtCs3JVdjco2DEg_3std9panicking15panic_with_hook"))
                .isEqualTo("std::panicking::panic_with_hook");
        assertThat(RustNames.demangle("_RNvCsfgHYwM92fyn_7___rustc12___rust_abort")).isEqualTo("__rustc::__rust_abort");
        assertThat(RustNames.demangle("_RNCNvCshhQhayhI8m_11panic_probe13process_block0B3_"))
                .isEqualTo("panic_probe::process_block::{closure}");
        assertThat(RustNames.demangle(
                "_RINvNtNtCs3JVdjco2DEg_3std3sys9backtrace26___rust_end_short_backtraceNCNvNtB6_9panicking13panic_handler0zEB6_"))
                .isEqualTo("std::sys::backtrace::__rust_end_short_backtrace::<..>");
    }

    @Test
    void anythingElseIsLeftAsItIs() {
        for (String s : new String[] {"process_block", "~lib/builtins/abort", "_ZN99fooE", "_R",
                "_RNvXs1i_NtCsdDzg6AwfGQA_4core3fmtRNtNtCs3JVdjco2DEg_3std5panic13PanicHookInfoNtB6_7Display3fmt",
                "_RNvCs1_u6strae4name"}) {
            assertThat(RustNames.demangle(s)).as(s).isEqualTo(s);
        }
    }
}
