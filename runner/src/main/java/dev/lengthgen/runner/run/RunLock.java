package dev.lengthgen.runner.run;

import dev.lengthgen.runner.cli.FileWriteException;
import dev.lengthgen.runner.cli.UsageException;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exclusive lock of a run folder: one writer per run. A process that writes a run (train, resume, an experiment's
 * run) takes it before it reads the run's state and holds it until it exits; a second writer is refused with the
 * holder's process id (and its host, when that is another machine). It is an operating-system lock
 * ({@link FileChannel#tryLock}, on Linux a POSIX record lock taken with fcntl) on the file {@value #FILE} in the
 * folder, so the system releases it when the holder dies, however it dies: a killed run never leaves its folder
 * locked. Between machines that share the folder over a network file system it holds exactly as far as that file
 * system implements fcntl locks across its clients (the README's "Running on a cluster" says which do). The file
 * itself stays (deleting it would let two processes lock two different files of the same name); it holds the pid and
 * host of the last holder.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".lock";
    /**
     * How long a writer keeps trying before it is refused: long enough that a reader's momentary probe
     * ({@link #heldByAnother}) never refuses a writer, short enough not to be noticed in a refusal.
     */
    private static final long ATTEMPT_MILLIS = 250;
    private static final Pattern HOLDER = Pattern.compile("([0-9]+)(?: (\\S+))?\\n");
    private static final String HOST = thisHost();

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Another process holds a run folder's lock; the message names it. */
    public static final class HeldException extends UsageException {
        HeldException(String message) {
            super(message);
        }
    }

    /**
     * Takes the lock of a folder that exists.
     *
     * @throws HeldException when another process (or another part of this one) holds it; the message names its pid
     */
    static RunLock acquire(Path dir) throws UsageException, IOException {
        Path file = dir.resolve(FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UsageException("cannot write in " + dir + " (" + FileWriteException.reason(e) + "): choose a "
                    + "folder you can write");
        }
        FileLock lock;
        try {
            lock = tryLock(ch);
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw held(dir, "pid " + ProcessHandle.current().pid());
        } catch (IOException e) {
            ch.close();
            throw new FileWriteException(file, e);
        }
        if (lock == null) {
            String holder = holder(ch);
            ch.close();
            throw held(dir, holder);
        }
        try {
            byte[] pid = (ProcessHandle.current().pid() + " " + HOST + "\n").getBytes(StandardCharsets.US_ASCII);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(pid), 0);
        } catch (IOException e) {
            lock.release();
            ch.close();
            throw new FileWriteException(file, e);
        }
        return new RunLock(ch, lock);
    }

    /** The lock, tried for {@link #ATTEMPT_MILLIS}; null when another process holds it all that time. */
    private static FileLock tryLock(FileChannel ch) throws IOException {
        long end = System.nanoTime() + ATTEMPT_MILLIS * 1_000_000;
        while (true) {
            FileLock lock = ch.tryLock();
            if (lock != null || System.nanoTime() > end) {
                return lock;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /**
     * Whether another process holds a folder's lock, found without writing anything: a shared lock on the file,
     * taken and released at once, fails while a writer holds its exclusive one. False when the folder was never
     * locked or its file system cannot say.
     */
    public static boolean heldByAnother(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock probe = ch.tryLock(0, Long.MAX_VALUE, true);
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held by this process
        } catch (IOException e) {
            return false;
        }
    }

    /** Who last held a folder's lock, as the lock file says ("pid 4711", "pid 4711 on node12"); null if unknown. */
    public static String lastHolder(Path dir) {
        try {
            String text = Files.readString(dir.resolve(FILE), StandardCharsets.US_ASCII);
            Matcher m = HOLDER.matcher(text);
            return m.matches() ? describe(m) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static HeldException held(Path dir, String holder) {
        return new HeldException(dir + " is being written by another lengthgen process (" + holder + "): wait for "
                + "it to finish, or stop it first");
    }

    /**
     * Who holds the lock, as the holder wrote into the lock file. It writes it right after it took the lock, so a
     * second writer that arrives in between (and reads nothing yet, or the pid of the previous holder, which has
     * exited) waits for it a moment; the last holder read, or "pid unknown", if it never comes. A holder on another
     * machine cannot be looked up here and is named at once.
     */
    private static String holder(FileChannel ch) {
        String last = "pid unknown";
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                ByteBuffer b = ByteBuffer.allocate(300);
                ch.read(b, 0);
                Matcher m = HOLDER.matcher(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII));
                if (m.matches()) { // written whole, line break and all
                    last = describe(m);
                    boolean elsewhere = m.group(2) != null && !m.group(2).equals(HOST);
                    if (elsewhere || ProcessHandle.of(Long.parseLong(m.group(1))).isPresent()) {
                        return last;
                    }
                }
                Thread.sleep(10);
            } catch (IOException e) {
                return last;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last;
            }
        }
        return last;
    }

    /** "pid 4711" on this machine, "pid 4711 on node12" on another. */
    private static String describe(Matcher m) {
        String host = m.group(2);
        return "pid " + m.group(1) + (host == null || host.equals(HOST) ? "" : " on " + host);
    }

    /** This machine's name, as the kernel has it (no name lookup that could hang on a cluster's DNS). */
    private static String thisHost() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException notLinux) {
            // below
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Releases the lock (the system also does when the process exits). */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it too
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was written that could be lost
        }
    }
}
