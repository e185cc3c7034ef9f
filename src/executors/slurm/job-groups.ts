/**
 * Gathers the commands of one group (`CommandRequest.group`: the repeats of one trial)
 * so that they are submitted as one job array. A group is submitted once all its
 * commands have arrived, or `waitMs` after the first one (later ones then form a group
 * of their own), so a command that never comes (its repeat failed before its run) delays
 * the others by at most that long.
 */
import type { CommandRequest } from '../../core/executor.ts';

interface Gathering<Result> {
  members: Array<{ request: CommandRequest; resolve: (result: Promise<Result>) => void }>;
  expected: number;
  timer: NodeJS.Timeout;
}

/**
 * @example
 * const groups = new CommandGroups((requests) => requests.map((request) => executor.submitOne(request)), 2_000);
 * const result = await groups.join(request); // resolves when this command's job has ended
 */
export class CommandGroups<Result> {
  private readonly gathering = new Map<string, Gathering<Result>>();

  /** `submit` gets the gathered requests (in arrival order) and returns one result per request, in the same order. */
  constructor(
    private readonly submit: (requests: CommandRequest[]) => Array<Promise<Result>>,
    private readonly waitMs: number,
  ) {}

  /** Adds a command of group `request.group`; resolves with its result once its job has ended. */
  join(request: CommandRequest): Promise<Result> {
    const group = request.group!;
    return new Promise<Promise<Result>>((resolve) => {
      const gathering = this.gathering.get(group.id) ?? this.start(group);
      gathering.members.push({ request, resolve });
      if (gathering.members.length >= gathering.expected) this.flush(group.id);
    }).then((result) => result);
  }

  /** A command of the group will not come (it ended before being run): the others need not wait for it. */
  leave(group: { id: string; size: number }): void {
    const gathering = this.gathering.get(group.id) ?? this.start(group);
    gathering.expected -= 1;
    if (gathering.members.length >= gathering.expected) this.flush(group.id);
  }

  private start(group: { id: string; size: number }): Gathering<Result> {
    const gathering: Gathering<Result> = { members: [], expected: group.size, timer: setTimeout(() => this.flush(group.id), this.waitMs) };
    this.gathering.set(group.id, gathering);
    return gathering;
  }

  private flush(groupId: string): void {
    const gathering = this.gathering.get(groupId);
    if (gathering === undefined) return;
    this.gathering.delete(groupId);
    clearTimeout(gathering.timer);
    if (gathering.members.length === 0) return;
    const results = this.submit(gathering.members.map((member) => member.request));
    gathering.members.forEach((member, index) => member.resolve(results[index]!));
  }
}
