package dev.lengthgen.tests.simulated;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class of the simulated-GPU tier: it runs only in the tests module's "simulated-gpu" surefire execution,
 * whose JVM loads Oclgrind as its OpenCL driver with the data-race, uninitialized-memory and API checks on (see
 * {@link Oclgrind}), and it fails on any report the simulator writes while one of its tests runs.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(Oclgrind.TAG)
@ExtendWith(OclgrindReports.class)
@interface SimulatedGpu {
}
