package dev.debshrew.transform;

import dev.debshrew.cdc.CdcMessage;
import java.util.List;

/** PLACEHOLDER until the host branch lands. */
public record BlockOutput(List<CdcMessage> messages, StateChanges stateChanges) {}
