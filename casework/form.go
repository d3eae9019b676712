package casework

import (
	"context"
	"fmt"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/delivery/forms"
)

// Form returns the official form of a delivery (the removal request, the TCO removal order
// of Annex I, or the notice of an information, withdrawal or restoration), in its
// operator's language: the authority and the controller read any, an operator its own.
// The caller sets the form's AnswerURL, which depends on where the server is reached.
func (s *Service) Form(ctx context.Context, id int64) (*forms.Notice, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, err
	}
	var n *forms.Notice
	err = s.view(ctx, func(tx takedown.Tx) error {
		d, err := deliveryFor(tx, u, id)
		if err != nil {
			return err
		}
		op, err := tx.Operator(d.OperatorID)
		if err != nil {
			return err
		}
		m, err := tx.Measure(d.MeasureID)
		if err != nil {
			return err
		}
		n, err = s.notice(tx, d, m, op)
		return err
	})
	return n, err
}

// Reference is the authority's reference number of a measure, quoted in every
// correspondence about it.
func Reference(m *takedown.Measure) string {
	return fmt.Sprintf("TD-%d-%06d", m.ProposedAt.Year(), m.ID)
}

// notice maps a delivery, its measure and its operator into the form the operator receives.
// An advance information names no address nor reasons: it precedes an order the provider
// may not see yet.
func (s *Service) notice(tx takedown.Tx, d *takedown.Delivery, m *takedown.Measure, op *takedown.Operator) (*forms.Notice, error) {
	p := s.profile
	lang := "en" // the forms are in French and English: the operator's first of those
	for _, l := range op.Languages {
		if base, _, _ := strings.Cut(strings.ToLower(l), "-"); base == "fr" || base == "en" {
			lang = base
			break
		}
	}
	rule, err := s.rule(d.Kind)
	if err != nil {
		return nil, err
	}
	// The issuer is who let the measure out: its approver when it needed one.
	issuerID := m.ProposedBy
	if m.ApprovedBy != 0 {
		issuerID = m.ApprovedBy
	}
	issuer, err := tx.User(issuerID)
	if err != nil {
		return nil, err
	}
	n := &forms.Notice{
		Reference: Reference(m), Kind: d.Kind, Purpose: d.Purpose, Language: lang,
		Authority: forms.Authority{Name: p.Authority, MemberState: p.MemberState,
			Representative: fmt.Sprintf("%s (%s)", issuer.Name, issuer.Role),
			Address:        p.Contact.Address, Email: p.Contact.Email, Phone: p.Contact.Phone},
		IssuedAt: d.SentAt, Location: p.Location(),
		Operator:   forms.Addressee{Name: op.Name, Contact: op.Contact},
		LegalBasis: rule.LegalBasis.In(lang), Redress: rule.Redress.In(lang),
		DeadlineAt: d.DeadlineAt, DeliveryID: d.ID, MeasureID: m.ID, CaseID: m.CaseID,
	}
	if m.IssuedAt != nil && d.Purpose == takedown.PurposeAction {
		n.IssuedAt = *m.IssuedAt
	}
	switch {
	case d.Purpose == takedown.PurposeAction && d.HasDeadline:
		n.Deadline = rule.Deadline.Duration
	case d.Purpose == takedown.PurposeRestoration:
		n.Deadline = rule.RestorationDeadline.Duration
	}
	if d.Purpose == takedown.PurposeAdvanceInformation {
		return n, nil
	}
	n.Targets, n.Reasons, n.Emergency = m.Targets, m.Reasons, m.Emergency
	if o, ok := p.Offence(m.Offence); ok {
		n.Offence = forms.Offence{Code: o.Code, Title: o.Title.In(lang), LegalBasis: o.LegalBasis.In(lang), Category: o.Category}
	}
	if m.NonDisclosureUntil != nil && d.Purpose == takedown.PurposeAction {
		n.NonDisclosure, n.NonDisclosureUntil = true, m.NonDisclosureUntil
	}
	if m.Ending != nil {
		n.Ending = m.Ending.Reasons
	}
	if d.Clarification != nil {
		n.Clarification = d.Clarification.Reasons
	}
	return n, nil
}
