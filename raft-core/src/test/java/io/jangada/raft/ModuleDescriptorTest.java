package io.jangada.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import org.junit.jupiter.api.Test;

/**
 * Surefire runs raft-core's tests on the module path (the module has a {@code module-info.java}),
 * so these tests see the real module: the API packages exported to everyone, the driver's internals
 * to no one.
 */
class ModuleDescriptorTest {

  private final Module module = RaftNode.class.getModule();

  @Test
  void runsAsTheNamedModule() {
    assertThat(module.isNamed()).as("raft-core must run on the module path").isTrue();
    assertThat(module.getName()).isEqualTo("io.jangada.raft");
  }

  @Test
  void exportsTheApiPackagesOnlyAndUnqualified() {
    ModuleDescriptor descriptor = module.getDescriptor();

    assertThat(descriptor.exports())
        .extracting(Exports::source)
        .containsExactlyInAnyOrder(
            "io.jangada.raft",
            "io.jangada.raft.core",
            "io.jangada.raft.model",
            "io.jangada.raft.storage",
            "io.jangada.raft.transport");
    assertThat(descriptor.exports()).noneMatch(Exports::isQualified);
    assertThat(descriptor.packages()).contains("io.jangada.raft.internal");
    assertThat(module.isExported("io.jangada.raft.internal")).isFalse();
  }

  @Test
  void requiresOnlySlf4j() {
    assertThat(module.getDescriptor().requires())
        .extracting(ModuleDescriptor.Requires::name)
        .containsExactlyInAnyOrder("java.base", "org.slf4j");
  }
}
