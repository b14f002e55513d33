package org.explainj.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a TorchScript data.pkl before libtorch reads it, for what libtorch's unpickler does not check: memo
 * indices (a huge LONG_BINPUT makes it allocate the memo up to that index) and each tensor's extent against its
 * storage (an offset or stride beyond the storage makes kernels read outside it). Walks the protocol-2 opcodes
 * torch.jit.save writes; an opcode it does not know ends the check (nothing is refused then).
 */
final class PickleCheck {

    private static final Object MARK = new Object();
    private static final Object OTHER = new Object();

    private record Global(String name) {
    }

    private record Storage(String key, long numel, int itemSize) {
    }

    private PickleCheck() {
    }

    /** @return null when the pickle is consistent, else what is wrong */
    static String check(byte[] b, Map<String, byte[]> entries, String root) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        List<Object> stack = new ArrayList<>();
        List<Object> memo = new ArrayList<>();
        int p = 0;
        try {
            while (p < b.length) {
                int op = b[p++] & 0xff;
                switch (op) {
                    case 0x80 -> p++;
                    case 'c' -> {
                        int nl1 = indexOf(b, p);
                        int nl2 = indexOf(b, nl1 + 1);
                        stack.add(new Global(new String(b, p, nl1 - p, StandardCharsets.UTF_8) + "."
                                + new String(b, nl1 + 1, nl2 - nl1 - 1, StandardCharsets.UTF_8)));
                        p = nl2 + 1;
                    }
                    case 'X' -> {
                        int n = buf.getInt(p);
                        stack.add(new String(b, p + 4, n, StandardCharsets.UTF_8));
                        p += 4 + n;
                    }
                    case 'q', 'r' -> {
                        long i = op == 'q' ? b[p] & 0xff : buf.getInt(p) & 0xffffffffL;
                        p += op == 'q' ? 1 : 4;
                        if (i > memo.size()) {
                            return "memo index " + i + " at byte " + (p - 1) + " (only " + memo.size() + " so far)";
                        }
                        Object top = stack.get(stack.size() - 1);
                        if (i == memo.size()) {
                            memo.add(top);
                        } else {
                            memo.set((int) i, top);
                        }
                    }
                    case 'h', 'j' -> {
                        long i = op == 'h' ? b[p] & 0xff : buf.getInt(p) & 0xffffffffL;
                        p += op == 'h' ? 1 : 4;
                        if (i >= memo.size()) {
                            return "memo index " + i + " read before it was written";
                        }
                        stack.add(memo.get((int) i));
                    }
                    case 'K' -> stack.add((long) (b[p++] & 0xff));
                    case 'M' -> {
                        stack.add((long) (buf.getShort(p) & 0xffff));
                        p += 2;
                    }
                    case 'J' -> {
                        stack.add((long) buf.getInt(p));
                        p += 4;
                    }
                    case 'G' -> {
                        stack.add(OTHER);
                        p += 8;
                    }
                    case '(' -> stack.add(MARK);
                    case ')' -> stack.add(List.of());
                    case 0x85, 0x86, 0x87 -> {
                        int n = op - 0x84;
                        List<Object> t = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
                        stack.subList(stack.size() - n, stack.size()).clear();
                        stack.add(t);
                    }
                    case 't' -> stack.add(popToMark(stack));
                    case '}', ']', 'N', 0x88, 0x89 -> stack.add(OTHER);
                    case 'u', 'e' -> {
                        popToMark(stack);
                    }
                    case 's' -> stack.subList(stack.size() - 2, stack.size()).clear();
                    case 'a', 'b' -> stack.remove(stack.size() - 1);
                    case 'Q' -> stack.add(storage(stack.remove(stack.size() - 1)));
                    case 0x81 -> {
                        stack.remove(stack.size() - 1);
                        stack.set(stack.size() - 1, OTHER);
                    }
                    case 'R' -> {
                        Object args = stack.remove(stack.size() - 1);
                        Object fn = stack.remove(stack.size() - 1);
                        if (fn instanceof Global g && g.name().equals("torch._utils._rebuild_tensor_v2")) {
                            String bad = tensor(args, entries, root);
                            if (bad != null) {
                                return bad;
                            }
                        }
                        stack.add(OTHER);
                    }
                    case '.' -> {
                        return null;
                    }
                    default -> {
                        return null; // not an opcode torch.jit.save writes: leave it to libtorch
                    }
                }
            }
        } catch (RuntimeException e) {
            return "unreadable pickle at byte " + p;
        }
        return null;
    }

    private static Object storage(Object pid) {
        if (pid instanceof List<?> t && t.size() == 5 && "storage".equals(t.get(0)) && t.get(1) instanceof Global g
                && t.get(2) instanceof String key && t.get(4) instanceof Long numel) {
            return new Storage(key, numel, itemSize(g.name()));
        }
        return OTHER;
    }

    private static int itemSize(String storageType) {
        String t = storageType.substring(storageType.lastIndexOf('.') + 1);
        return switch (t) {
            case "DoubleStorage", "LongStorage", "ComplexFloatStorage" -> 8;
            case "HalfStorage", "BFloat16Storage", "ShortStorage" -> 2;
            case "ByteStorage", "CharStorage", "BoolStorage", "QUInt8Storage", "QInt8Storage" -> 1;
            default -> 4;
        };
    }

    /** (storage, offset, size, stride, ...): the extent must lie in the storage, the storage in its entry. */
    private static String tensor(Object args, Map<String, byte[]> entries, String root) {
        if (!(args instanceof List<?> a) || a.size() < 4 || !(a.get(0) instanceof Storage s)
                || !(a.get(1) instanceof Long offset) || !(a.get(2) instanceof List<?> size)
                || !(a.get(3) instanceof List<?> stride) || size.size() != stride.size()) {
            return null;
        }
        byte[] data = entries.get(root + "/data/" + s.key());
        if (data == null || s.numel() < 0 || s.numel() * s.itemSize() > data.length) {
            return "storage " + s.key() + " of " + s.numel() + " elements does not fit its entry data/" + s.key();
        }
        long last = offset;
        for (int i = 0; i < size.size(); i++) {
            long n = (Long) size.get(i);
            long st = (Long) stride.get(i);
            if (n < 0 || st < 0) {
                return "a tensor of storage " + s.key() + " has a negative size or stride";
            }
            if (n == 0) {
                return null;
            }
            last += (n - 1) * st;
        }
        if (offset < 0 || last >= s.numel()) {
            return "a tensor of storage " + s.key() + " (offset " + offset + ", sizes " + size + ", strides " + stride
                    + ") reaches element " + last + " of a storage of " + s.numel();
        }
        return null;
    }

    private static List<Object> popToMark(List<Object> stack) {
        int m = stack.lastIndexOf(MARK);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        throw new IllegalArgumentException("no newline");
    }
}
