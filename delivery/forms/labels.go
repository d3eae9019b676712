package forms

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lang is a language the forms are written in. The texts are paraphrases of the law's
// forms, not their official wording; docs/forms.md gives the sources.
type lang int

const (
	french lang = iota
	english
)

// language picks the forms' language from a BCP 47 tag: French for fr and fr-*, English
// for anything else, the language every profile text has.
func language(tag string) lang {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	base, _, _ = strings.Cut(base, "_")
	if base == "fr" {
		return french
	}
	return english
}

// String returns the language's tag.
func (l lang) String() string {
	if l == french {
		return "fr"
	}
	return "en"
}

// t returns the text for key in the language, formatted with args if any. A missing key
// shows as itself rather than failing: the table is checked by a test.
func (l lang) t(key string, args ...any) string {
	pair, ok := texts[key]
	if !ok {
		return key
	}
	s := pair[l]
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}

// capitalise upper-cases the first letter, for a measure's name at the start of a line.
func capitalise(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// texts holds every label, heading and sentence of the forms, French first, English
// second.
var texts = map[string][2]string{
	// Titles, by form id.
	"title." + FormRemovalOrder:       {"Injonction de retrait (article 3 du règlement (UE) 2021/784)", "Removal order (Article 3 of Regulation (EU) 2021/784)"},
	"title." + FormRemovalRequest:     {"Demande de retrait (article 6-1 de la loi n° 2004-575 du 21 juin 2004)", "Removal request (Article 6-1 of Law 2004-575 of 21 June 2004, LCEN)"},
	"title." + FormReferral:           {"Signalement pour examen", "Referral for assessment"},
	"title." + FormBlocking:           {"Notification d'adresses à bloquer (article 6-1 de la loi n° 2004-575)", "Notification of addresses to block (Article 6-1 of Law 2004-575)"},
	"title." + FormDereferencing:      {"Notification d'adresses à déréférencer (article 6-1 de la loi n° 2004-575)", "Notification of addresses to dereference (Article 6-1 of Law 2004-575)"},
	"title." + FormInformation:        {"Pour information : %s", "For information: %s"},
	"title." + FormAdvanceInformation: {"Information préalable à une première injonction de retrait (article 3, paragraphe 2, du règlement (UE) 2021/784)", "Advance information before a first removal order (Article 3(2) of Regulation (EU) 2021/784)"},
	"title." + FormWithdrawal:         {"Mesure retirée : %s", "Measure withdrawn: %s"},
	"title." + FormRestoration:        {"Rétablissement : fin de la mesure de %s", "Restoration: end of a %s measure"},
	"title." + formUnknown:            {"Notification : %s", "Notice: %s"},

	// Introductions, by form id: what the notice is and what the operator must do.
	"intro." + FormRemovalOrder: {
		"En application de l'article 3 du règlement (UE) 2021/784 (« le règlement »), le destinataire de la présente injonction retire les contenus à caractère terroriste ci-dessous ou bloque l'accès à ces contenus dans tous les États membres dès que possible et, en tout état de cause, dans un délai d'une heure à compter de sa réception. En application de l'article 6 du règlement, il conserve les contenus retirés ou bloqués et les données connexes pendant six mois, ou plus longtemps si les autorités ou juridictions compétentes le demandent. En application de l'article 15, paragraphe 2, l'injonction est envoyée dans l'une des langues indiquées par le destinataire.",
		"Under Article 3 of Regulation (EU) 2021/784 (the Regulation), the addressee of this removal order shall remove the terrorist content below or disable access to it in all Member States as soon as possible and in any event within one hour of receipt of the order. Under Article 6 of the Regulation, the addressee shall preserve the content removed or disabled and related data for six months, or longer if the competent authorities or courts so request. Under Article 15(2), the order is sent in one of the languages the addressee designated.",
	},
	"intro." + FormRemovalRequest: {
		"En application de l'article 6-1 de la loi n° 2004-575 du 21 juin 2004 pour la confiance dans l'économie numérique, l'autorité vous demande de retirer les contenus aux adresses ci-dessous dans le délai indiqué. À défaut, elle peut notifier ces adresses aux fournisseurs d'accès à internet, qui doivent en empêcher l'accès, et aux moteurs de recherche, qui doivent cesser de les référencer. Les fournisseurs d'accès à internet sont informés de la présente demande.",
		"Under Article 6-1 of Law 2004-575 of 21 June 2004 on confidence in the digital economy (LCEN), the authority asks you to remove the content at the addresses below within the deadline. Failing that, it may notify the addresses to internet access providers, who must prevent access to them, and to search engines, who must stop referencing them. Internet access providers are informed of this request.",
	},
	"intro." + FormReferral: {
		"L'autorité porte à votre connaissance les contenus ci-dessous pour que vous les examiniez au regard de vos conditions d'utilisation. Ce signalement n'est pas une injonction : vous décidez seul de la suite à lui donner.",
		"The authority refers the content below to you for assessment under your terms of service. This referral is not an order: you alone decide what to do with it.",
	},
	"intro." + FormBlocking: {
		"En application de l'article 6-1 de la loi n° 2004-575, l'autorité vous notifie les adresses ci-dessous, auxquelles vous devez empêcher l'accès dans le délai indiqué.",
		"Under Article 6-1 of Law 2004-575, the authority notifies you of the addresses below, to which you must prevent access within the deadline.",
	},
	"intro." + FormDereferencing: {
		"En application de l'article 6-1 de la loi n° 2004-575, l'autorité vous notifie les adresses ci-dessous, que vous devez cesser de référencer dans le délai indiqué.",
		"Under Article 6-1 of Law 2004-575, the authority notifies you of the addresses below, which you must stop referencing within the deadline.",
	},
	"intro." + FormInformation: {
		"Pour information : l'autorité a adressé la mesure ci-dessous à l'hébergeur des contenus. Vous n'avez rien à faire à ce stade ; accusez-en réception. Si les contenus ne sont pas retirés dans le délai, l'autorité peut vous notifier les adresses à bloquer.",
		"For information: the authority has addressed the measure below to the host of the content. There is nothing for you to do now; please acknowledge receipt. If the content is not removed within the deadline, the authority may notify you of addresses to block.",
	},
	"intro." + FormAdvanceInformation: {
		"En application de l'article 3, paragraphe 2, du règlement (UE) 2021/784, l'autorité vous informe, au moins douze heures avant de vous adresser votre première injonction de retrait, des procédures et délais applicables. L'injonction vous imposera de retirer les contenus ci-dessous ou d'en bloquer l'accès dans tous les États membres dans un délai d'une heure à compter de sa réception. Vous pourrez y répondre comme l'indique la section « Comment répondre » de l'injonction (annexes II et III du règlement) et la contester comme indiqué ci-dessous.",
		"Under Article 3(2) of Regulation (EU) 2021/784, the authority informs you, at least twelve hours before it issues your first removal order, of the applicable procedures and deadlines. The order will require you to remove the content below or disable access to it in all Member States within one hour of its receipt. You will answer it as its section \"How to answer\" says (Annexes II and III of the Regulation) and may challenge it as set out below.",
	},
	"intro." + FormWithdrawal: {
		"L'autorité a retiré la mesure ci-dessous. Vous n'êtes plus tenu d'y donner suite ; accusez réception de la présente notification.",
		"The authority has withdrawn the measure below. You no longer need to act on it; please acknowledge receipt of this notice.",
	},
	"intro." + FormRestoration: {
		"La mesure ci-dessous a pris fin. Rétablissez l'accès aux adresses ci-dessous, ou leur référencement, dans le délai indiqué, puis confirmez-le.",
		"The measure below has ended. Restore access to the addresses below, or their referencing, within the deadline, then confirm it.",
	},
	"intro." + formUnknown: {"", ""},

	// Measures, lower case.
	"kind.removal_request": {"demande de retrait", "removal request"},
	"kind.removal_order":   {"injonction de retrait (TCO)", "TCO removal order"},
	"kind.referral":        {"signalement pour examen", "referral"},
	"kind.blocking":        {"blocage", "blocking"},
	"kind.dereferencing":   {"déréférencement", "dereferencing"},

	// Section headings, and the Annex I sections they are on a removal order.
	"section.identification":   {"Identification", "Identification"},
	"section.authority":        {"Autorité d'émission", "Issuing authority"},
	"section.content":          {"Contenus visés et motivation", "Content and statement of reasons"},
	"section.obligation":       {"Obligation et fondement juridique", "Obligation and legal basis"},
	"section.content_provider": {"Information du fournisseur de contenus", "Information to the content provider"},
	"section.redress":          {"Voies de recours", "Redress"},
	"section.follow_up":        {"Suivi", "Follow-up"},
	"section.answer":           {"Comment répondre", "How to answer"},
	"annex_section":            {"annexe I, section %s", "Annex I, section %s"},

	// Field labels.
	"field.reference":                {"Numéro de référence", "Reference number"},
	"field.issued_at":                {"Date et heure d'émission", "Date and time of issue"},
	"field.measure":                  {"Mesure", "Measure"},
	"field.addressee":                {"Destinataire", "Addressee"},
	"field.addressee_contact":        {"Point de contact", "Contact point"},
	"field.legal_representative":     {"Représentant légal", "Legal representative"},
	"field.authority":                {"Autorité", "Authority"},
	"field.authority_member_state":   {"État membre de l'autorité", "Member State of the issuing authority"},
	"field.authority_representative": {"Représentant de l'autorité et fonction", "Representative and post held"},
	"field.authority_address":        {"Adresse", "Address"},
	"field.authority_email":          {"Courriel", "E-mail"},
	"field.authority_phone":          {"Téléphone", "Telephone"},
	"field.targets":                  {"URL et informations permettant d'identifier et de localiser exactement les contenus", "URLs and information identifying and locating the content exactly"},
	"field.targets.blocking":         {"Noms d'hôte", "Host names"},
	"field.offence":                  {"Infraction", "Offence"},
	"field.offence_legal_basis":      {"Texte d'incrimination", "Legal basis of the offence"},
	"field.category":                 {"Type de contenu à caractère terroriste (article 2, point 7, du règlement (UE) 2021/784)", "Type of terrorist content (Article 2(7) of Regulation (EU) 2021/784)"},
	"field.reasons":                  {"Motivation", "Statement of reasons"},
	"field.ending":                   {"Motifs de la fin de la mesure", "Reasons for ending the measure"},
	"field.clarification":            {"Précisions de l'autorité (le délai court de nouveau à compter de leur réception)", "The authority's clarification (the deadline runs again from its receipt)"},
	"field.deadline":                 {"Délai", "Deadline"},
	"field.deadline_at":              {"Échéance", "Due by"},
	"field.legal_basis":              {"Fondement juridique de la mesure", "Legal basis of the measure"},
	"field.emergency":                {"Urgence justifiant l'absence d'information préalable de douze heures", "Emergency justifying the absence of 12-hour advance information"},
	"field.non_disclosure":           {"Interdiction d'informer le fournisseur de contenus", "Content provider not to be informed"},
	"field.non_disclosure_until":     {"Interdiction applicable jusqu'au", "Not to be informed until"},
	"field.redress":                  {"Voies et délais de recours", "Redress: body, deadlines and procedure"},
	"field.answer_url":               {"Adresse pour répondre", "Where to answer"},
	"field.delivery_id":              {"Identifiant de l'envoi", "Delivery id"},
	"field.measure_id":               {"Identifiant de la mesure", "Measure id"},
	"field.case_id":                  {"Identifiant du dossier", "Case id"},

	// Values.
	"category.incitement":    {"incite à commettre des infractions terroristes, par exemple en en faisant l'apologie (point a)", "incites others to commit terrorist offences, such as by glorifying terrorist acts (point (a))"},
	"category.solicitation":  {"sollicite une personne ou un groupe pour commettre une infraction terroriste ou contribuer à sa commission (point b)", "solicits others to commit or to contribute to the commission of terrorist offences (point (b))"},
	"category.participation": {"sollicite une personne ou un groupe pour participer aux activités d'un groupe terroriste (point c)", "solicits others to participate in the activities of a terrorist group (point (c))"},
	"category.instruction":   {"fournit des instructions pour la fabrication ou l'utilisation d'explosifs, d'armes à feu, d'autres armes ou de substances nocives ou dangereuses, ou sur d'autres méthodes ou techniques, en vue de commettre une infraction terroriste (point d)", "provides instruction on the making or use of explosives, firearms or other weapons or noxious or hazardous substances, or on other specific methods or techniques, for the purpose of committing terrorist offences (point (d))"},
	"category.threat":        {"constitue une menace de commettre une infraction terroriste (point e)", "constitutes a threat to commit a terrorist offence (point (e))"},
	"non_disclosure.yes":     {"Oui : pour des raisons de sécurité publique, le destinataire n'informe pas le fournisseur de contenus du retrait ou du blocage (article 11, paragraphe 3, du règlement)", "Yes: for reasons of public security, the addressee shall not inform the content provider of the removal or disabling of access (Article 11(3) of the Regulation)"},
	"non_disclosure.no":      {"Non : informez le fournisseur de contenus du retrait ou du blocage et de ses voies de recours (article 11 du règlement)", "No: inform the content provider of the removal or disabling of access and of its redress (Article 11 of the Regulation)"},
	"deadline.hour":          {"1 heure à compter de la réception", "within 1 hour of receipt"},
	"deadline.hours":         {"%d heures à compter de la réception", "within %d hours of receipt"},
	"deadline.minutes":       {"%d minutes à compter de la réception", "within %d minutes of receipt"},
	"colon":                  {" :", ":"},
	"form_footer":            {"Formulaire %s, version %d", "Form %s, version %d"},

	// How to answer.
	"answer.intro":                         {"Répondez à l'adresse ci-dessous, ou par l'API en envoyant kind, reason et text. Réponses possibles :", "Answer at the address below, or through the API by sending kind, reason and text. You may answer:"},
	"answer.where":                         {"Adresse pour répondre : %s", "Where to answer: %s"},
	"answer.annex":                         {"annexe %s du règlement (UE) 2021/784", "Annex %s of Regulation (EU) 2021/784"},
	"answer.acknowledge":                   {"Accuser réception", "Acknowledge receipt"},
	"answer.acknowledge.help":              {"Confirme que vous avez reçu la présente notification.", "Confirms that you received this notice."},
	"answer.acknowledge.clock":             {"Confirme que vous avez reçu la présente notification ; le délai court à compter de la réception.", "Confirms that you received this notice; the deadline runs from receipt."},
	"answer.comply":                        {"Mesure exécutée", "Measure carried out"},
	"answer.comply.help":                   {"Confirmez que la mesure est exécutée ; précisez dans le texte la date et l'heure de l'exécution si elles précèdent votre réponse.", "Confirm that the measure is carried out; give in the text the date and time you did so if it was before your answer."},
	"answer.comply.tco":                    {"Contenus retirés ou accès bloqué", "Content removed or access disabled"},
	"answer.comply.tco.help":               {"Indiquez dans le texte si les contenus ont été retirés ou si l'accès a été bloqué dans tous les États membres, et la date et l'heure de la mesure (annexe II, section B). L'heure de votre réponse est enregistrée.", "Say in the text whether you removed the content or disabled access to it in all Member States, and the date and time you did so (Annex II, section B). The time of your answer is recorded."},
	"answer.force_majeure":                 {"Impossible d'exécuter : force majeure ou impossibilité de fait non imputable au destinataire, y compris pour des raisons techniques ou opérationnelles objectivement justifiables", "Cannot comply: force majeure or de facto impossibility not attributable to you, including for objectively justifiable technical or operational reasons"},
	"answer.force_majeure.help":            {"Expliquez les raisons dans le texte, avant l'échéance. Le délai est suspendu et recommence à courir dès que ces raisons ont cessé.", "Explain the reasons in the text, before the deadline. The deadline stops, and runs again as soon as the reasons have ceased."},
	"answer.manifest_error":                {"Impossible d'exécuter : la mesure contient des erreurs manifestes", "Cannot comply: the measure contains manifest errors"},
	"answer.manifest_error.help":           {"Précisez dans le texte les erreurs et les éclaircissements demandés, avant l'échéance. Le délai est suspendu jusqu'à la réception des éclaircissements.", "Specify in the text the errors and the clarification you request, before the deadline. The deadline stops until you receive the clarification."},
	"answer.insufficient_information":      {"Impossible d'exécuter : la mesure ne contient pas suffisamment d'informations", "Cannot comply: the measure does not contain sufficient information"},
	"answer.insufficient_information.help": {"Précisez dans le texte les informations ou éclaircissements demandés, avant l'échéance. Le délai est suspendu jusqu'à leur réception.", "Specify in the text the information or clarification you request, before the deadline. The deadline stops until you receive it."},
	"answer.tco.force_majeure":             {"article 3, paragraphe 7 ; annexe III, section B", "Article 3(7); Annex III, section B"},
	"answer.tco.manifest_error":            {"article 3, paragraphe 8 ; annexe III, section B", "Article 3(8); Annex III, section B"},
	"answer.tco.insufficient_information":  {"article 3, paragraphe 8 ; annexe III, section B", "Article 3(8); Annex III, section B"},
	"answer.dispute":                       {"Contester la mesure", "Dispute the measure"},
	"answer.dispute.help":                  {"Donnez vos raisons dans le texte. La contestation ne suspend pas le délai ; pour saisir le juge, voyez les voies de recours.", "Give your reasons in the text. Disputing does not stop the deadline; to go to court, see the redress."},
	"answer.decline":                       {"Décliner", "Decline"},
	"answer.decline.help":                  {"Vos conditions d'utilisation ne s'appliquent pas à ces contenus : donnez vos raisons dans le texte.", "Your terms of service do not apply to this content: give your reasons in the text."},
}
