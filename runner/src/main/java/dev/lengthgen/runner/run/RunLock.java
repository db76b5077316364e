package dev.lengthgen.runner.run;

import dev.lengthgen.runner.cli.FileWriteException;
import dev.lengthgen.runner.cli.UsageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock of a run folder: one writer per run. A process that writes a run (train, resume, an experiment's
 * run) takes it before it reads the run's state and holds it until it exits; a second writer is refused with the
 * holder's process id. It is an operating-system lock ({@link FileChannel#tryLock}) on the file {@value #FILE} in the
 * folder, so the system releases it when the holder dies, however it dies: a killed run never leaves its folder
 * locked. The file itself stays (deleting it would let two processes lock two different files of the same name); it
 * holds the pid of the last holder.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of a folder that exists.
     *
     * @throws UsageException when another process (or another part of this one) holds it; the message names its pid
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
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw held(dir, Long.toString(ProcessHandle.current().pid()));
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
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(pid), 0);
        } catch (IOException e) {
            lock.release();
            ch.close();
            throw new FileWriteException(file, e);
        }
        return new RunLock(ch, lock);
    }

    private static UsageException held(Path dir, String pid) {
        return new UsageException(dir + " is being written by another lengthgen process (pid " + pid + "): wait for "
                + "it to finish, or stop it first");
    }

    /**
     * The pid the holder wrote into the lock file. It writes it right after it took the lock, so a second writer that
     * arrives in between (and reads nothing yet, or the pid of the previous holder, which has exited) waits for it a
     * moment; the last pid read, or "unknown", if it never comes.
     */
    private static String holder(FileChannel ch) {
        String last = "unknown";
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                ByteBuffer b = ByteBuffer.allocate(32);
                ch.read(b, 0);
                String text = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
                if (text.matches("[0-9]+\\n")) { // written whole, line break and all
                    last = text.strip();
                    if (ProcessHandle.of(Long.parseLong(last)).isPresent()) {
                        return last;
                    }
                }
                Thread.sleep(10);
            } catch (IOException e) {
                return "unknown";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last;
            }
        }
        return last;
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
