import DuetCore

extension AgreementReport {
    /// `duet agreement`: the report for a task of the project.
    public static func make(task name: String?, project: Project) async throws -> AgreementReport {
        let task = try project.task(name)
        let decisions = try await project.store.currentDecisions(task: task)
        var report = make(task: task, decisions: decisions)
        // The machines against people: every annotator with votes, each on its own (label votes only).
        let present = try await project.store.voteAnnotators(task: task)
        if !present.isEmpty, task.kind != .multilabel {
            let people = Router.humanLabels(decisions.filter { $0.annotatorKind == .human }, kind: task.kind)
            let votes = task.routingVotes(try await project.store.votes(task: task, annotator: nil))
            if KindScorer.forTask(task, votes: votes) == nil, !people.isEmpty {
                report.machines = PanelMember.measure(votes: votes, members: present.sorted(), truth: people, labels: task.answerLabels)
            }
        }
        return report
    }
}
